"""The mutant catalogue: each listed mistake, as a minimal edit of a reference solution.

A mutant proves the hidden tests have teeth: applied to a copy of `solutions/`, the
stage must fail, and its first failure must carry the mistake's own hint.
Catalogue files: tests/mutants/mNN_name.py, each defining `MUTANTS: list[Mutant]`.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader.paths import REPO_ROOT


@dataclass(frozen=True)
class Edit:
    """Replace `find` (which must occur exactly once in `file`) with `replace`."""

    file: str
    find: str
    replace: str


@dataclass(frozen=True)
class Mutant:
    id: str  # unique within the stage, e.g. "stale_waker"
    stage: str  # e.g. "01_future"
    hint: str  # the hint id the first failure must carry
    edits: tuple[Edit, ...]
    note: str = ""  # the mistake, in one line


def mutant(
    id: str,
    stage: str,
    hint: str,
    file: str,
    find: str,
    replace: str,
    note: str = "",
    more: tuple[Edit, ...] = (),
) -> Mutant:
    """Shorthand for a mutant with one edit (plus `more` if the mistake spans two places)."""
    return Mutant(id, stage, hint, (Edit(file, find, replace), *more), note)


def catalogue_dir() -> Path:
    return REPO_ROOT / "tests" / "mutants"


def load_catalogue() -> list[Mutant]:
    """Every mutant of every stage, in stage order (empty in a student copy)."""
    mutants: list[Mutant] = []
    folder = catalogue_dir()
    if not folder.is_dir():
        return mutants
    for path in sorted(folder.glob("m[0-9][0-9]_*.py")):
        spec = importlib.util.spec_from_file_location(f"_mutants_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        mutants.extend(module.MUTANTS)
    return mutants


def apply(m: Mutant, into: Path) -> Path:
    """Copy the stage's solution into `into/<stage>/`, apply the edits; returns `into`."""
    source = REPO_ROOT / "solutions" / m.stage
    shutil.copytree(source, into / m.stage, ignore=shutil.ignore_patterns("__pycache__"))
    for edit in m.edits:
        path = into / m.stage / edit.file
        text = path.read_text(encoding="utf-8")
        count = text.count(edit.find)
        if count != 1:
            raise ValueError(
                f"mutant {m.stage}/{m.id}: {edit.find!r} occurs {count} times "
                f"in {edit.file} (must be exactly once)"
            )
        path.write_text(text.replace(edit.find, edit.replace), encoding="utf-8")
    return into


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    caught: bool    # the stage failed
    hint: str | None  # the hint of its first failure
    test: str | None
    message: str

    @property
    def ok(self) -> bool:
        return self.caught and self.hint == self.mutant.hint


def check(m: Mutant) -> Verdict:
    """Apply `m` to a temporary copy of the solution and grade that stage, stopping at the first failure."""
    import tempfile

    from grader.catalogue import find_stage
    from grader.runner import run_stage

    stage = find_stage(m.stage)
    if stage is None:
        raise ValueError(f"mutant {m.id}: unknown stage {m.stage}")
    with tempfile.TemporaryDirectory(prefix=f"mutant-{m.stage}-") as tmp:
        result = run_stage(stage, str(apply(m, Path(tmp))), first_failure=True)
    first = result.first_failure
    if first is None:
        return Verdict(m, False, None, None, "every test passed")
    return Verdict(m, True, first.hint, first.name, first.message)


def main(argv: list[str] | None = None) -> int:
    """`python -m grader.mutants [STAGE] [--repeat N]`: check the catalogue.

    With `--repeat N`, every mutant and every reference solution of the chosen stages is
    graded N times, and each must get the same verdict (first failing test and hint) every
    time: the determinism check of the hidden tests.
    """
    import argparse
    from concurrent.futures import ThreadPoolExecutor

    from grader.catalogue import STAGES
    from grader.runner import run_stage

    parser = argparse.ArgumentParser(prog="python -m grader.mutants")
    parser.add_argument("stage", nargs="?", default="", help="a stage id prefix, e.g. 03")
    parser.add_argument("--repeat", type=int, default=1, help="grade each this many times")
    args = parser.parse_args(argv)
    chosen = [m for m in load_catalogue() if m.stage.startswith(args.stage)]
    stages = [s for s in STAGES if s.id.startswith(args.stage)]
    ok = True
    with ThreadPoolExecutor(max_workers=2) as pool:
        for m in chosen:
            verdicts = list(pool.map(check, [m] * args.repeat))
            seen = {(v.hint, v.test) for v in verdicts}
            v = verdicts[0]
            status = "ok" if v.ok and len(seen) == 1 else "SURVIVED" if not v.caught else (
                "WRONG HINT" if len(seen) == 1 else "UNSTABLE")
            ok &= status == "ok"
            print(f"{status:10} {m.stage}/{m.id}: expected {m.hint}, got {sorted(seen)}"
                  f" ({args.repeat} runs)")
        for stage in stages if args.repeat > 1 else []:
            runs = list(pool.map(run_stage, [stage] * args.repeat, ["solutions"] * args.repeat))
            seen_tests = {tuple((t.name, t.status) for t in r.tests) for r in runs}
            stable = len(seen_tests) == 1 and runs[0].status == "passed"
            ok &= stable
            print(f"{'ok' if stable else 'UNSTABLE':10} solutions/{stage.id}: "
                  f"{len(runs[0].tests)} tests, {len(seen_tests)} distinct verdict(s) in {args.repeat} runs")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
