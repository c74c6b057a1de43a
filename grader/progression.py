"""Where the attendee is in the workshop: the one owner of the stages' order.

Every question of order is answered here, and every command asks here (run, list, watch,
hint, solution, slides, bench; summary and the room read reports through `position`):

    has stage N passed in this target?     Progression.passed(stage)     runs nothing
    does it pass now (run if no cache)?    Progression.passes_now(stage)
    which stage is current?                Progression.current()         the first not passed
    what comes after stage N?              Progression.next_after(stage)
    which stage keeps stage N locked?      Progression.blocker(stage)
    grade every stage, in order            Progression.grade_in_order()
    where a `--json` report puts someone   position(report_stages)

A stage has passed when the verdict cached for its files *as they are now* says so (the cache
key covers every input of a verdict: grader.progress.stage_digest); a verdict itself comes from
`Session.verdict` (cache, else a run). Like rustlings' `AppState`, this is the only place that
knows the order; unlike it, nothing here is stored: every answer is read from the files and
the cache when asked, so an edit between two questions (in `grade watch`) is always seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from grader.catalogue import STAGES
from grader.model import Stage
from grader.results import StageResult, StageStatus
from grader.session import Session


class Progression:
    """The order of `stages` for one `grade` invocation (its target, cache and settings)."""

    def __init__(self, session: Session, stages: Sequence[Stage] = STAGES) -> None:
        self.session = session
        self.stages = tuple(stages)

    @property
    def in_order(self) -> bool:
        """Stages unlock one after the other for the attendee's own exercises only: another
        `--target` folder (the solutions, a mutant) is graded stage by stage on request."""
        return self.session.grading_exercises

    # --- one stage -------------------------------------------------------------------------
    def passed(self, stage: Stage) -> bool:
        """Has `stage` passed with its current files (by the cache; runs nothing)?

        The unlock order reads the cache even with --no-cache or --timeout N: those re-run
        the stage asked for, they don't forget what passed before. Another target has no
        cache, so nothing there has passed.
        """
        cached = self.session.verdict(stage, run=False, use_cache=self.in_order)
        return cached is not None and cached.status == "passed"

    def passes_now(self, stage: Stage) -> bool:
        """Does `stage` pass? For the exercises the cached verdict of the files as they are
        now; another target has no cache, so its tests run."""
        if self.in_order:
            return self.passed(stage)
        result = self.session.verdict(stage)
        return result is not None and result.status == "passed"

    def next_after(self, stage: Stage) -> Stage | None:
        """The stage after `stage`; None after the last one."""
        index = self.stages.index(stage)
        return self.stages[index + 1] if index + 1 < len(self.stages) else None

    def blocker(self, stage: Stage) -> Stage | None:
        """The first earlier stage that has not passed (it keeps `stage` locked); None if none."""
        earlier = self.stages[: self.stages.index(stage)]
        return next((s for s in earlier if not self.passed(s)), None)

    # --- the whole workshop ----------------------------------------------------------------
    def current(self) -> Stage | None:
        """The first stage not passed with its current files; None when all pass."""
        return next((s for s in self.stages if not self.passed(s)), None)

    def current_or_last(self) -> Stage:
        """The stage to show when none is named: the current one, the last when all pass."""
        return self.current() or self.stages[-1]

    def last_passed(self) -> Stage | None:
        """The latest stage (in the order) that has passed with its current files."""
        return next((s for s in reversed(self.stages) if self.passed(s)), None)

    def listing(self) -> dict[str, StageResult]:
        """Every stage's status for `grade list`: passed before the current stage, the current
        one (its cached failure), locked after it; runs nothing. Another target: not run."""
        current = self.current() if self.in_order else None
        results: dict[str, StageResult] = {}
        for stage in self.stages:
            status: StageStatus
            if not self.in_order:
                status = "not_run"
            elif current is None or stage.number < current.number:
                status = "passed"
            else:
                status = "failed" if stage is current else "locked"
            cached = self.session.verdict(stage, run=False) if status in ("passed", "failed") else None
            results[stage.id] = cached or StageResult(stage.id, status)
        return results

    def grade_in_order(self) -> StageResult | None:
        """Grade the stages in order (cached passes count), stop at the first failure and lock
        the rest; before "All done", run again every stage whose pass came from the cache (the
        progress file is writable, so it is not proof). Fills `session.results`; returns the
        first failure, None when every stage passes."""
        failed = self._in_order(lambda stage: True, use_cache=None)
        if failed is None:
            failed = self._in_order(lambda stage: self.session.results[stage.id].cached,
                                    use_cache=False)
        return failed

    def _in_order(self, wanted: Callable[[Stage], bool], use_cache: bool | None) -> StageResult | None:
        results = self.session.results
        failed: StageResult | None = None
        for stage in self.stages:
            if failed is not None:
                results[stage.id] = StageResult(stage.id, "locked")
                continue
            if not wanted(stage):
                continue
            result = self.session.verdict(stage, use_cache=use_cache)
            assert result is not None  # it runs when nothing is cached
            results[stage.id] = result
            if result.status != "passed":
                failed = result
        return failed


def position(stages: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any] | None, str]:
    """Where a `grade --json` report (its "stages" list, in order) puts its attendee:
    (the first failing stage's entry, "failed"), else (the first not passed, "not_run"),
    else (None, "done")."""
    stages = list(stages)
    first_failed = next((s for s in stages if s["status"] == "failed"), None)
    if first_failed is not None:
        return first_failed, "failed"
    first_open = next((s for s in stages if s["status"] != "passed"), None)
    if first_open is not None:
        return first_open, "not_run"
    return None, "done"
