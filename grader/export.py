"""`grade export --output DEST`: the student copy, ready to hand out.

A copy of the repository without the reference solutions (`solutions/`), without the mutant
and alternatives catalogues (`tests/mutants/`, `tests/alternatives/`: each is a solution with
one mistake, or a correct one) and without anything local (.git, virtual environments,
progress, caches). With `--wheelhouse`, a `wheelhouse/` folder of every dependency's wheel
(all pure Python: one folder serves Linux, macOS and Windows, Python 3.10-3.13), so the
README's install works at a venue with no network. It installs and grades from scratch
like the original, and a marker file at its root (`.student-copy`) tells the grader, e.g.
`grade solution`, that the answers are not there.

The given files (stage N's folder hands out stage N-1's answer, e.g. exercises/07_timers/
spawn.py) stay in the copy, since the attendee's code imports them; the export refuses to
write a copy whose given files differ from their sources (`python -m grader.given` fixes it).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from rich.text import Text

from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.session import EXIT_PASSED, EXIT_USAGE, Session, UsageError

MARKER = ".student-copy"
# Left out, relative to the repository root (answers and the instructor's tooling data).
LEFT_OUT_PATHS = ("solutions", "tests/mutants", "tests/alternatives", "build", "dist", "venv")
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
    stale = stale_given_files(source)
    if stale:
        raise UsageError("the given files are not copies of their sources: " + "; ".join(stale)
                         + ". Run `python -m grader.given`, then export again (nothing was written)")
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


def stale_given_files(source: Path = REPO_ROOT) -> list[str]:
    """What `grader.given` would say about `source`'s given files (nothing without solutions/)."""
    from grader import given
    from grader.catalogue import STAGES

    if not (source / "solutions").is_dir():
        return []  # a student copy: the sources are not there, the copies are as handed out
    return [f"{stage.id}: {problem}" for stage in STAGES for problem in given.problems(stage, source)]


WHEELHOUSE = "wheelhouse"
# Every dependency must be a pure-Python wheel (py3-none-any): one folder then serves Linux,
# macOS and Windows. pip is asked for platform "any" only, so it never picks a compiled wheel
# (hypothesis and tomli also publish compiled ones). The versions differ by environment
# markers (tomli and exceptiongroup below 3.11); colorama (pytest's, on Windows) is named
# explicitly because pip evaluates sys_platform markers against the machine it runs on.
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
MARKER_ONLY = ("colorama", "exceptiongroup", "tomli")


def requirements(root: Path = REPO_ROOT) -> list[str]:
    """The project's dependencies and build requirements, as written in its pyproject.toml.

    (tomllib would be the tool, but it is 3.11+; these two arrays are simple enough to read.)
    """
    found: list[str] = []
    collecting = False
    for raw in (root / "pyproject.toml").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith(("requires = [", "dependencies = [")):
            collecting = not line.endswith("]")
            found += re.findall(r'"([^"]+)"', line)
        elif collecting:
            collecting = line != "]"
            found += re.findall(r'"([^"]+)"', line)
    return found


def build_wheelhouse(folder: Path, pythons: tuple[str, ...] = PYTHONS) -> None:
    """Download the pure-Python wheel of everything the project needs into `folder`.

    Raises OSError with pip's own message if a download fails (no network, say).
    """
    folder.mkdir(parents=True, exist_ok=True)
    wanted = [*requirements(), *MARKER_ONLY]
    for python in pythons:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
             "--dest", str(folder), "--python-version", python, "--platform", "any",
             "--implementation", "py", "--abi", "none", *wanted],
            capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
        if done.returncode != 0:
            lines = [line for line in (done.stderr or done.stdout).splitlines()
                     if not line.startswith("WARNING: Location")]
            raise OSError(f"pip could not download the wheels for Python {python}: "
                          + " ".join(lines)[-600:])


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
    if getattr(args, "wheelhouse", False):
        with console.status("Downloading the pure-Python wheels for Python 3.10-3.13 ..."):
            try:
                build_wheelhouse(where / WHEELHOUSE)
            except OSError as error:
                console.print(Text(f"The copy is written, but without a wheelhouse: {error}",
                                   style="bold red"))
                return EXIT_USAGE
        count = len(list((where / WHEELHOUSE).glob("*.whl")))
        console.print(f"{WHEELHOUSE}/: {count} wheels; the README's offline install uses them.")
    console.print(Text.assemble(("Student copy written to ", "bold green"), (str(where), "bold")))
    if skipped:
        console.print(f"Left out: {', '.join(skipped)} (and caches).")
    console.print(
        "Attendees install it with the README's one command; `grade solution` there says the "
        "answers are not included. Check it first: run `grade verify` here (solutions pass, stubs fail)."
    )
    return EXIT_PASSED
