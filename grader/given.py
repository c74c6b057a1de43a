"""Given files: what a stage hands out complete, as copies of an earlier stage's reference.

Stage N's folder hands out stage N-1's answer: `exercises/07_timers/spawn.py` and
`solutions/07_timers/spawn.py` are copies of `solutions/06_spawn/spawn.py`, and `timers.py`
imports it (`from spawn import ...`) and subclasses its executor instead of pasting it. The
catalogue declares them (`Stage.given`, grader/model.py) apart from the files the attendee
edits (`Stage.files`). One source, many copies: `problems()` proves each copy equals its
source (run by `grade verify` and the project's own tests); this command rewrites them:

    python -m grader.given            refresh every copy from its source, then the
                                      pristine manifest (the copies are stubs too)
    python -m grader.given --check    only say which copies differ (exit 1 if any)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.model import Stage
from grader.paths import REPO_ROOT

TOPS = ("exercises", "solutions")


def _normal(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")  # a Windows checkout may have CRLF


def copies(stage: Stage, root: Path = REPO_ROOT) -> list[tuple[Path, Path]]:
    """(copy, source) for every given file of `stage`, in exercises/ and solutions/; a source
    that is itself the copy (a stage's own solution file handed out to the attendee) is left out."""
    pairs = []
    for given in stage.given:
        source = root / given.source
        for top in TOPS:
            copy = root / top / stage.id / given.name
            if copy != source:
                pairs.append((copy, source))
    return pairs


def problems(stage: Stage, root: Path = REPO_ROOT) -> list[str]:
    """One line per given file that is missing, whose source is missing, or that differs from its
    source; empty means every copy is exact."""
    found = []
    for given in stage.given:
        if given.name in stage.files:
            found.append(f"{given.name} is both edited (files) and given: choose one")
        if not (root / given.source).is_file():
            found.append(f"the source of the given {given.name}, {given.source}, does not exist")
    for copy, source in copies(stage, root):
        shown = copy.relative_to(root).as_posix()
        if not source.is_file():
            continue  # said above
        if not copy.is_file():
            found.append(f"{shown} is missing: a given copy of {_shown(source, root)} "
                         "(python -m grader.given writes it)")
        elif _normal(copy.read_bytes()) != _normal(source.read_bytes()):
            found.append(f"{shown} differs from its source {_shown(source, root)}: a given file is "
                         "never edited in place; edit the source, then run python -m grader.given")
    return found


def refresh(stages: tuple[Stage, ...] | list[Stage], root: Path = REPO_ROOT) -> list[Path]:
    """Rewrite every copy that differs from its source (or is missing); returns those written."""
    written = []
    for stage in stages:
        for copy, source in copies(stage, root):
            if not source.is_file():
                continue
            data = source.read_bytes()
            if copy.is_file() and _normal(copy.read_bytes()) == _normal(data):
                continue
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
            written.append(copy)
    return written


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def main(argv: list[str] | None = None) -> int:
    from grader import pristine
    from grader.catalogue import STAGES

    parser = argparse.ArgumentParser(prog="python -m grader.given", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report copies that differ")
    args = parser.parse_args(argv)
    if args.check:
        found = [f"{s.id}: {p}" for s in STAGES for p in problems(s)]
        for line in found:
            print(line)
        print("every given file equals its source" if not found else f"{len(found)} problem(s)")
        return 1 if found else 0
    written = refresh(STAGES)
    for path in written:
        print(f"wrote {path.relative_to(REPO_ROOT).as_posix()}")
    pristine.write_manifest()
    count = sum(len(copies(s)) for s in STAGES)
    print(f"{len(written)} of {count} given copies rewritten; {pristine.MANIFEST.name} refreshed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
