"""One `grade` invocation's context, shared by every command, and its source of verdicts.

Which stage is current, next or locked is grader.progression's, never decided here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from grader.model import Stage
from grader.progress import Progress, stage_digest
from grader.results import StageResult
from grader.runner import run_stage

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """The command line asked for something that does not exist."""


@dataclass
class Session:
    """What one `grade` invocation works with."""

    target: str
    target_dir: Path
    console: Console
    progress: Progress
    use_cache: bool  # reuse cached verdicts for what is graded (off with --no-cache)
    test_timeout: float
    results: dict[str, StageResult] = field(default_factory=dict)
    # Store verdicts: the attendee's own exercises, default settings only (never --timeout N).
    store_results: bool | None = None
    stored: list[str] = field(default_factory=list)  # stage ids stored by this invocation

    def __post_init__(self) -> None:
        if self.store_results is None:
            self.store_results = self.use_cache

    @property
    def grading_exercises(self) -> bool:
        return self.target == "exercises"

    def verdict(self, stage: Stage, *, run: bool = True, use_cache: bool | None = None) -> StageResult | None:
        """The stage's result: from the cache when nothing changed, else by running it."""
        digest = stage_digest(stage, self.target_dir)
        if self.use_cache if use_cache is None else use_cache:
            cached = self.progress.cached(stage, digest)
            if cached is not None or not run:
                return cached
        if not run:
            return None
        if self.console.is_terminal and not self.console.record:  # no spinner in captures
            with self.console.status(f"Testing stage {stage.id} ...", spinner="dots"):
                result = run_stage(stage, str(self.target_dir), test_timeout=self.test_timeout)
        else:
            result = run_stage(stage, str(self.target_dir), test_timeout=self.test_timeout)
        well_formed = (result.status == "passed" and all(t.status == "passed" for t in result.tests)
                       and result.tests) or (result.status == "failed" and result.first_failure)
        if self.store_results and well_formed:
            self.progress.store(stage, digest, result)
            self.stored.append(stage.id)
        return result
