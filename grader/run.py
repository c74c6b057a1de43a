"""`grade` and `grade N`: grade every stage in order, or one stage (`--pdb`: debug it).

The order (what is current, what is locked, what comes next) is grader.progression's; this
module runs what it is asked, shows the result, and reports it (`--json`, the room).
"""

from __future__ import annotations

import argparse
import json

from rich.text import Text

from grader import render
from grader.catalogue import find_stage
from grader.model import Stage
from grader.progression import Progression
from grader.report import json_report
from grader.results import StageResult
from grader.session import EXIT_FAILED, EXIT_PASSED, Session


def run(session: Session, stage: Stage | None, args: argparse.Namespace) -> int:
    """The default command: every stage in order, or stage N alone; then the reports."""
    if getattr(args, "pdb", False) and stage is not None:
        from grader.debug import run_pdb

        return run_pdb(session, stage)
    code = run_one(session, stage) if stage else run_in_order(session)
    report = json_report(session)
    if getattr(args, "json", False):
        print(json.dumps(report, indent=2))
    _report_to_room(session, report)
    return code


def _report_to_room(session: Session, report: dict[str, object]) -> None:
    """If this checkout joined a room (`grade room join`), tell it, without waiting long."""
    if not session.grading_exercises:
        return
    from grader import room

    sending = room.report_in_background(session.progress.path, report)
    if sending is not None:
        sending.join(room.POST_TIMEOUT)  # bounded: an unreachable room costs at most this


def run_in_order(session: Session) -> int:
    """Stages in order; cached passes are re-verified by content; stop at the first failure."""
    progression = Progression(session)
    failed = progression.grade_in_order()
    console = session.console
    console.print(render.progress_table(progression.stages, session.results))
    if failed is None:
        render.all_done(console, progression.stages)
        return EXIT_PASSED
    stage = find_stage(failed.id)
    assert stage is not None
    console.print(render.where_you_are(stage, session.target_dir))
    console.print(render.failure_panel(stage, failed))
    return EXIT_FAILED


def run_one(session: Session, stage: Stage) -> int:
    progression = Progression(session)
    for each in progression.stages:
        session.results[each.id] = StageResult(each.id, "not_run")
    blocker = progression.blocker(stage) if progression.in_order else None
    console = session.console
    if blocker is not None:
        session.results[stage.id] = StageResult(stage.id, "locked")
        console.print(
            Text.assemble(
                (f"Stage {stage.number:02d} ({stage.title}) is locked. ", "bold yellow"),
                f"Stage {blocker.number:02d} ({blocker.title}) has not passed yet: run "
                f"`grade {blocker.number}` (or plain `grade`) and make it pass to unlock the next.",
            )
        )
        return EXIT_FAILED
    result = session.verdict(stage)
    assert result is not None
    session.results[stage.id] = result
    if result.status == "passed":
        later = progression.next_after(stage)
        console.print(
            Text.assemble(
                (f"Stage {stage.number:02d} passes", "bold green"),
                f" ({len(result.tests)} tests). ",
                (f"Next: stage {later.number:02d} \u00b7 {later.title} \u2014 run `grade` to go on."
                 if later else "That was the last stage: run `grade` to see every stage pass.", "dim"),
            )
        )
        return EXIT_PASSED
    console.print(render.failure_panel(stage, result))
    return EXIT_FAILED
