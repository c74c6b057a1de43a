"""`grade verify [STAGE]`: the instructor's check that the workshop is ready to hand out.

One line per check, green `ok` or red `FAIL` with the reason; exit 1 if any check fails.
The checks are those of grader/checks.py (shared with the project's own tests):

    deck               the stage has a slide deck (slides/NN_name.md)
    files              every file of the stage is there (stub, solution, tests, deck, mutants,
                       three alternatives, its row in the README's table)
    hints              every hidden test maps to a hint of the catalogue
    slides             every hint of the stage points at a slide (`## ` heading) of its deck
    api                stub and solution share their files and public API
    given              each given file (stage N's folder hands out stage N-1's answer) equals
                       its source in exercises/ and solutions/
    solution passes    the reference solution passes every hidden test
    stub fails         the untouched stub fails (by a test, not by failing to load)
    same verdict twice a second run of the solution gives the same result, test by test
    mutant <id>        each mistake of the mutant catalogue is rejected with its own hint
    mutants            a stage after 00 has at least one mutant
    alternative <id>   each correct alternative implementation (tests/alternatives/) passes

and, when every stage is checked: the common hints point at slides of the setup deck, and
every stage deck and stage folder belongs to a stage of the catalogue.
`grade verify N` checks stage N only (quicker while editing one stage).

Stage runs go in parallel, two at a time, each in its own child process like `grade`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from grader import alternatives, checks
from grader.catalogue import STAGES
from grader.model import Stage
from grader.mutants import Mutant, catalogue_dir, load_catalogue
from grader.mutants import check as check_mutant
from grader.paths import REPO_ROOT
from grader.results import StageResult
from grader.runner import GraderError, run_stage
from grader.session import EXIT_FAILED, EXIT_PASSED, EXIT_USAGE, Session

ALL = "all"  # the `stage` of checks about the whole workshop


@dataclass
class Check:
    stage: str
    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"stage": self.stage, "check": self.name, "ok": self.ok, "problems": self.problems}


def verify(session: Session, stage: Stage | None, args: argparse.Namespace) -> int:
    console = session.console
    if not (REPO_ROOT / "solutions").is_dir():
        console.print(Text(
            "grade verify checks the instructor's repository, and this copy has no solutions/ "
            "folder (a student copy?). Run it in the full repository.", style="bold red"))
        return EXIT_USAGE
    stages = [stage] if stage is not None else list(STAGES)
    if console.is_terminal and not getattr(args, "json", False):
        with console.status(f"Verifying {len(stages)} stage(s): running solutions, stubs and "
                            "mutants, two at a time ...", spinner="dots"):
            results = run_checks(stages, session.test_timeout)
    else:
        results = run_checks(stages, session.test_timeout)
    for each in results:
        console.print(render_line(each), soft_wrap=True)
    failed = [c for c in results if not c.ok]
    if failed:
        console.print(Text(f"{len(failed)} of {len(results)} checks failed.", style="bold red"))
    else:
        console.print(Text(f"All {len(results)} checks pass.", style="bold green"))
    if getattr(args, "json", False):
        print(json.dumps({"ok": not failed, "checks": [c.to_json() for c in results]}, indent=2))
    return EXIT_FAILED if failed else EXIT_PASSED


def render_line(check: Check) -> Text:
    text = Text("  ")
    text.append("ok    " if check.ok else "FAIL  ", style="green" if check.ok else "bold red")
    text.append(f"{check.stage:<18} ", style="bold")
    text.append(check.name)
    if check.problems:
        text.append(": " + "; ".join(check.problems), style="red")
    return text


def run_checks(stages: list[Stage], test_timeout: float) -> list[Check]:
    """Every check of `stages` (and of the whole workshop when all stages are chosen)."""
    chosen = {s.id for s in stages}
    mutants = [m for m in load_catalogue() if m.stage in chosen] if catalogue_dir().is_dir() else []
    with ThreadPoolExecutor(max_workers=2) as pool:

        def submit(function: Callable[..., Any], *arguments: Any, **keywords: Any) -> Future[Any]:
            return pool.submit(_guarded, function, *arguments, **keywords)

        runs = {
            s.id: (
                submit(run_stage, s, "solutions", test_timeout=test_timeout),
                submit(run_stage, s, "exercises", first_failure=True, test_timeout=test_timeout),
                submit(run_stage, s, "solutions", test_timeout=test_timeout),
            )
            for s in stages
        }
        verdicts = {(m.stage, m.id): submit(check_mutant, m) for m in mutants}
        alts = [a for a in alternatives.load_catalogue() if a.stage in chosen]
        alt_verdicts = {(a.stage, a.id): submit(alternatives.check, a) for a in alts}
        results: list[Check] = []
        for s in stages:
            results += static_checks(s)
            first, stub, second = (f.result() for f in runs[s.id])
            results.append(_run_check(s, "solution passes", first, checks.solution_problems))
            results.append(_run_check(s, "stub fails", stub, checks.stub_problems))
            if isinstance(first, StageResult) and isinstance(second, StageResult):
                results.append(Check(s.id, "same verdict twice", checks.determinism_problems(first, second)))
            else:
                results.append(_run_check(s, "same verdict twice", second, lambda _: []))
            stage_mutants = [m for m in mutants if m.stage == s.id]
            if not stage_mutants and s.number > 0:
                results.append(Check(s.id, "mutants", ["the mutant catalogue has no mutant for this stage"]))
            for m in stage_mutants:
                results.append(_mutant_check(m, verdicts[(m.stage, m.id)].result()))
            for a in (a for a in alts if a.stage == s.id):
                outcome = alt_verdicts[(a.stage, a.id)].result()
                found = [outcome] if isinstance(outcome, str) else alternatives.problems(outcome)
                results.append(Check(s.id, f"alternative {a.id} passes", found))
    if len(stages) == len(STAGES):
        results.append(Check(ALL, "common hints point at the setup deck", checks.common_hint_problems()))
        results.append(Check(ALL, "every deck belongs to a stage", checks.orphan_deck_problems()))
        results.append(Check(ALL, "every stage folder belongs to a stage", checks.orphan_folder_problems()))
    return results


def static_checks(stage: Stage) -> list[Check]:
    return [
        Check(stage.id, "deck", checks.deck_problems(stage)),
        Check(stage.id, "hints", checks.hint_coverage_problems(stage)),
        Check(stage.id, "slides", checks.hint_slide_problems(stage)),
        Check(stage.id, "api", checks.api_problems(stage)),
        Check(stage.id, "given", checks.given_problems(stage)),
        Check(stage.id, "files", checks.stage_file_problems(stage)),
    ]


def _guarded(function: Callable[..., Any], *arguments: Any, **keywords: Any) -> Any:
    """Run one job; a failure to run becomes a reason (a string), never a traceback."""
    try:
        return function(*arguments, **keywords)
    except GraderError as error:
        return f"could not run the tests: {error}"
    except Exception as error:
        return f"could not run: {type(error).__name__}: {error}"


def _run_check(
    stage: Stage, name: str, outcome: StageResult | str, judge: Callable[[StageResult], list[str]]
) -> Check:
    if isinstance(outcome, str):
        return Check(stage.id, name, [outcome])
    return Check(stage.id, name, judge(outcome))


def _mutant_check(m: Mutant, outcome: Any) -> Check:
    name = f"mutant {m.id} rejected with hint {m.hint}"
    if isinstance(outcome, str):
        return Check(m.stage, name, [outcome])
    return Check(m.stage, name, checks.mutant_problems(outcome))
