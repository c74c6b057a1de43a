"""Record the README's screens from real `grade` runs: `python -m grader.screens`.

Each screen is an actual run (stubs, a real mutant of a solution, the solutions) drawn by
the same renderer attendees see, exported by rich as SVG into slides/screens/.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from rich.console import Console

from grader.catalogue import find_stage
from grader.hint import show_hint
from grader.mutants import apply as apply_mutant
from grader.mutants import load_catalogue
from grader.paths import REPO_ROOT
from grader.progress import Progress
from grader.run import run_in_order
from grader.session import Session

OUT = REPO_ROOT / "slides" / "screens"
WIDTH = 100


def session(target: Path, progress: Path) -> Session:
    console = Console(record=True, width=WIDTH, force_terminal=True, color_system="truecolor")
    return Session("exercises", target, console, Progress(progress), True, 10.0)


def save(s: Session, name: str, title: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    s.console.save_svg(str(OUT / f"{name}.svg"), title=title)
    print(f"wrote {(OUT / name).relative_to(REPO_ROOT)}.svg")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        first = session(REPO_ROOT / "exercises", work / "p0.json")
        run_in_order(first)
        save(first, "first-run", "grade — the first run")

        # A stage-01 mistake: the solutions, with stage 01 replaced by its stale-waker mutant.
        target = work / "target"
        shutil.copytree(REPO_ROOT / "solutions", target)
        stale = next(m for m in load_catalogue() if m.stage == "01_future" and m.id == "stale_waker")
        shutil.rmtree(target / stale.stage)
        apply_mutant(stale, target)
        failing = session(target, work / "p1.json")
        run_in_order(failing)
        save(failing, "failure-panel", "grade — a failure panel")
        failing.progress.save()  # `grade hint` reads the failure from the progress file
        hinted = session(target, work / "p1.json")
        show_hint(hinted, find_stage("01"), argparse.Namespace())
        save(hinted, "hint", "grade hint — level 1")

        done = session(REPO_ROOT / "solutions", work / "p2.json")
        run_in_order(done)
        save(done, "all-done", "grade — every stage passes")


if __name__ == "__main__":
    main()
