"""`grade hint [N]`: the next level of the hint ladder for the stage's recorded failure."""

from __future__ import annotations

import argparse

from grader import render
from grader.catalogue import find_hint
from grader.model import Stage
from grader.progression import Progression
from grader.runner import GraderError
from grader.session import EXIT_FAILED, EXIT_PASSED, Session


def show_hint(session: Session, stage: Stage | None, args: argparse.Namespace,
              ask: str = "grade hint") -> int:
    """The next level of the hint ladder for the stage's recorded failure (render.hint_levels)."""
    console = session.console
    progression = Progression(session)
    blocker = progression.blocker(stage) if stage is not None else None
    if stage is not None and blocker is not None:
        console.print(f"Stage {stage.number:02d} is locked: its hints come once you get there. "
                      f"Pass stage {blocker.number:02d} first (`grade {blocker.number}`, and "
                      f"`grade hint {blocker.number}` when stuck).")
        return EXIT_FAILED
    stage = stage or progression.current()
    if stage is None:
        console.print("Every stage passes: no hints needed.")
        return EXIT_PASSED
    last = session.progress.last_result(stage)
    test = last.first_failure if last else None
    if last is not None and last.status == "passed":
        console.print(f"Stage {stage.number:02d} passes: no hint needed.")
        return EXIT_PASSED
    if last is None or test is None or not test.hint:
        console.print(
            f"No failure of stage {stage.number:02d} is on record: run "
            f"`grade {stage.number}` first, then ask for a hint."
        )
        return EXIT_FAILED
    hint = find_hint(stage, test.hint)
    if hint is None:
        raise GraderError(f"the test {test.name} names an unknown hint {test.hint!r}")
    level = session.progress.next_hint_level(stage, hint.id, len(render.HINT_LEVELS))
    console.print(render.hint_panel(stage, hint, level, test, ask))
    return EXIT_FAILED
