"""`grade N --pdb`: run stage N's first failing test alone, in the foreground, under pdb.

The usual run happens in a supervised child whose output the grader keeps. To debug, the
attendee needs the terminal: this runs plain pytest on that one test, with output not
captured (`print()` shows at once, `breakpoint()` stops there) and `--pdb` (a failure opens
the debugger where it happened). The test's own source is visible in the debugger, which the
failure panel never shows: debugging is the attendee's explicit choice.
"""

from __future__ import annotations

import os
import subprocess
import sys

from rich.text import Text

from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.session import EXIT_FAILED, EXIT_PASSED, Session


def debug_command(stage: Stage, test_name: str, target: str) -> list[str]:
    return [sys.executable, "-m", "pytest", f"{stage.test_file}::{test_name}", f"--target={target}",
            "--pdb", "-s", "-q", "-p", "no:cacheprovider", "--timeout=0", "-o", "addopts="]


def run_pdb(session: Session, stage: Stage) -> int:
    console = session.console
    result = session.verdict(stage)
    test = result.first_failure if result is not None else None
    if test is None:
        console.print(Text(f"Stage {stage.number:02d} passes: there is no failing test to debug.",
                           style="green"))
        return EXIT_PASSED
    if not is_test_of(stage, test.name):
        console.print(Text(f"The failure ({test.name}) is not a test that can be run alone "
                           "(it happened while loading or checking the run); fix what the "
                           f"panel of `grade {stage.number}` says first.", style="yellow"))
        return EXIT_FAILED
    console.print(Text.assemble(
        ("Debugging ", "bold"), (test.name, "bold cyan"), f" of stage {stage.number:02d}. ",
        "Your print()s show as they happen; breakpoint() in your code stops there; a failure "
        "opens pdb where it happened (`c` continue, `n` next line, `p x` print x, `q` quit).\n"))
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    done = subprocess.run(debug_command(stage, test.name, str(session.target_dir)), cwd=REPO_ROOT,
                          env=env, check=False)
    return EXIT_PASSED if done.returncode == 0 else EXIT_FAILED


def _collectable(stage: Stage) -> set[str]:
    """The names a test of the stage's file can have (its functions, with parameters)."""
    from grader.runner import hidden_test_functions

    return set(hidden_test_functions(stage))


def is_test_of(stage: Stage, name: str) -> bool:
    return name.split("[", 1)[0] in _collectable(stage)
