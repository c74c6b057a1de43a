"""The catalogue of correct alternative implementations: other designs that must *pass*.

Mutants prove the hidden tests have teeth; alternatives prove they do not over-fit the
reference. Each alternative is a folder `tests/alternatives/NN_name/<alternative>/` holding
one or more of the stage's files written another way the stub allows (another data
structure, another order where the docstrings leave it open, extra harmless wakes). It is
laid over a copy of `solutions/NN_name/` and graded like an attendee's code: every test
must pass. The first line of each file's docstring says what the design is.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.paths import REPO_ROOT


@dataclass(frozen=True)
class Alternative:
    stage: str  # e.g. "03_channel"
    id: str  # the folder name, e.g. "linked_list_waiters"
    folder: Path

    @property
    def files(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("*.py"))

    @property
    def note(self) -> str:
        """The first docstring line of the alternative's first file: what design it is."""
        for path in self.files:
            for line in path.read_text(encoding="utf-8").splitlines():
                text = line.strip().strip('"').strip()
                if text:
                    return text
        return ""


def catalogue_dir() -> Path:
    return REPO_ROOT / "tests" / "alternatives"


def load_catalogue() -> list[Alternative]:
    """Every alternative of every stage, in stage order (empty in a student copy)."""
    folder = catalogue_dir()
    if not folder.is_dir():
        return []
    return [
        Alternative(stage.name, alt.name, alt)
        for stage in sorted(p for p in folder.iterdir() if p.is_dir() and p.name[:2].isdigit())
        for alt in sorted(p for p in stage.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    ]


def apply(alt: Alternative, into: Path) -> Path:
    """Copy the stage's solution into `into/<stage>/` and lay the alternative's files over it."""
    shutil.copytree(REPO_ROOT / "solutions" / alt.stage, into / alt.stage,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for path in alt.files:
        shutil.copy2(path, into / alt.stage / path.name)
    return into


@dataclass(frozen=True)
class Verdict:
    alternative: Alternative
    passed: bool
    test: str | None  # the first failing test, if any
    hint: str | None
    message: str


def check(alt: Alternative) -> Verdict:
    """Grade the alternative (every test, like an attendee's run); it must pass."""
    from grader.catalogue import find_stage
    from grader.runner import run_stage

    stage = find_stage(alt.stage)
    if stage is None:
        raise ValueError(f"alternative {alt.id}: unknown stage {alt.stage}")
    with tempfile.TemporaryDirectory(prefix=f"alternative-{alt.stage}-") as tmp:
        result = run_stage(stage, str(apply(alt, Path(tmp))))
    first = result.first_failure
    if first is None and result.status == "passed":
        return Verdict(alt, True, None, None, "")
    return Verdict(alt, False, first.name if first else None, first.hint if first else None,
                   first.message if first else f"stage status {result.status}")


def problems(verdict: Verdict) -> list[str]:
    if verdict.passed:
        return []
    return [f"a correct alternative ({verdict.alternative.note}) was rejected by {verdict.test} "
            f"with hint {verdict.hint!r}: {' '.join(verdict.message.split())[:200]}"]


def main(argv: list[str] | None = None) -> int:
    """`python -m grader.alternatives [STAGE]`: every correct alternative must pass."""
    import argparse
    from concurrent.futures import ThreadPoolExecutor

    parser = argparse.ArgumentParser(prog="python -m grader.alternatives")
    parser.add_argument("stage", nargs="?", default="", help="a stage id prefix, e.g. 03")
    args = parser.parse_args(argv)
    chosen = [a for a in load_catalogue() if a.stage.startswith(args.stage)]
    ok = True
    with ThreadPoolExecutor(max_workers=2) as pool:
        for verdict in pool.map(check, chosen):
            alt = verdict.alternative
            ok &= verdict.passed
            status = "ok" if verdict.passed else "REJECTED"
            detail = "" if verdict.passed else f": {problems(verdict)[0]}"
            print(f"{status:10} {alt.stage}/{alt.id} ({alt.note}){detail}")
    print(f"{len(chosen)} alternative(s) checked.")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
