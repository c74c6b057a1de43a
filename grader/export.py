"""`grade export --output DEST`: the student copy, ready to hand out.

A copy of the repository without the reference solutions (`solutions/`), without the mutant
catalogue (`tests/mutants/`, each mutant is a solution with one mistake) and without anything
local (.git, virtual environments, progress, caches). It installs and grades from scratch
like the original, and a marker file at its root (`.student-copy`) tells the grader, e.g.
`grade solution`, that the answers are not there.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
from pathlib import Path

from rich.text import Text

from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.session import EXIT_PASSED, EXIT_USAGE, Session, UsageError

MARKER = ".student-copy"
# Left out, relative to the repository root (answers and the instructor's tooling data).
LEFT_OUT_PATHS = ("solutions", "tests/mutants", "build", "dist", "venv")
# Left out wherever they are: version control, environments, progress, caches, build output.
LEFT_OUT_NAMES = (
    ".git", ".venv", ".ci-venv-*", ".grade", "__pycache__", "*.pyc", ".pytest_cache",
    ".ruff_cache", ".mypy_cache", ".hypothesis", "*.egg-info", ".tox", MARKER,
)
MARKER_TEXT = """\
This is a student copy of the workshop: it has no solutions/ folder and no mutant catalogue.
`grade` works as usual; `grade solution` and `grade verify` need the instructor's repository.
"""


def is_student_copy(root: Path | None = None) -> bool:
    """Is this repository (or `root`) a student copy made by `grade export`?"""
    return ((root or REPO_ROOT) / MARKER).exists()


def left_out(relative: str, name: str) -> bool:
    """Is the file or folder `relative` (posix, from the root; its base name is `name`) left out?"""
    return relative in LEFT_OUT_PATHS or any(fnmatch.fnmatch(name, p) for p in LEFT_OUT_NAMES)


def export_copy(destination: Path, source: Path = REPO_ROOT) -> list[str]:
    """Write the student copy of `source` into `destination`; returns what was left out.

    `destination` must not exist yet (or be an empty folder) and must not be inside `source`.
    """
    source, destination = source.resolve(), destination.resolve()
    if destination == source or destination.is_relative_to(source):
        raise UsageError(f"{destination} is inside the repository; choose a folder outside it "
                         f"(for example {source.parent / (source.name + '-student')})")
    if source.is_relative_to(destination):
        raise UsageError(f"{destination} contains the repository; choose a new folder")
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise UsageError(f"{destination} already exists and is not empty; choose a new folder "
                         "(nothing was written)")
    skipped: list[str] = []

    def ignore(folder: str, names: list[str]) -> set[str]:
        base = Path(folder).relative_to(source)
        out = set()
        for name in names:
            relative = (base / name).as_posix()
            if left_out(relative, name):
                out.add(name)
                if relative in LEFT_OUT_PATHS or name in (".git", ".venv", ".grade"):
                    skipped.append(relative)
        return out

    shutil.copytree(source, destination, ignore=ignore, symlinks=True, dirs_exist_ok=True)
    (destination / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return sorted(skipped)


def export(session: Session, stage: Stage | None, args: argparse.Namespace) -> int:
    console = session.console
    if stage is not None:
        raise UsageError("`grade export` copies every stage; give the folder with --output DEST")
    output = getattr(args, "output", None)
    if not output:
        raise UsageError("say where to write the student copy: grade export --output DEST "
                         "(a new folder outside this repository)")
    destination = Path(os.path.expanduser(output))
    try:
        skipped = export_copy(destination)
    except OSError as error:
        console.print(Text(f"Could not write the student copy to {destination}: {error}", style="bold red"))
        return EXIT_USAGE
    where = destination.resolve()
    console.print(Text.assemble(("Student copy written to ", "bold green"), (str(where), "bold")))
    if skipped:
        console.print(f"Left out: {', '.join(skipped)} (and caches).")
    console.print(
        "Attendees install it with the README's one command; `grade solution` there says the "
        "answers are not included. Check it first: run `grade verify` here (solutions pass, stubs fail)."
    )
    return EXIT_PASSED
