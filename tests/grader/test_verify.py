"""`grade verify`: passes on this repository, and fails, naming the check, on a broken copy.

Each broken case is a temporary copy of the repository whose own `grader` package is the one
imported (PYTHONPATH; REPO_ROOT follows the package), checked one stage at a time to stay fast.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.paths import REPO_ROOT
from tests_support import copy_repository

needs_solutions = pytest.mark.skipif(
    not (REPO_ROOT / "solutions").is_dir() or not (REPO_ROOT / "tests" / "mutants").is_dir(),
    reason="solutions/ and tests/mutants/ are not in this copy (a student copy): nothing to verify",
)
pytestmark = [needs_solutions, pytest.mark.heavy]  # each runs `grade verify`: many seconds

def run_verify(root: Path, *args: str, timeout: float = 600) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(root), "GRADE_PROGRESS": str(root / ".grade" / "p.json"),
           "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "verify", *args], cwd=root,
                          capture_output=True, text=True, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    return done.returncode, output


def failed_checks(output: str) -> list[str]:
    """`stage check` of every FAIL line, spaces normalised."""
    return [" ".join(m.split()) for m in re.findall(r"^\s*FAIL\s+(\S+\s+.+?)(?::|$)", output, re.M)]


@pytest.mark.exhaustive  # in the default run: the healthy copy's `verify 0` below, test_mutants.py
@pytest.mark.timeout(600)
def test_verify_passes_on_this_repository(grade) -> None:  # type: ignore[no-untyped-def]
    # One stage with mutants: every stage's solutions, stubs and mutants are already checked one
    # test each by test_stage_contract.py and test_mutants.py; this is the command end to end.
    # The default run has it end to end on a copy of this repository (stage 00, below); this
    # repeats it on stage 01's 30-odd mutants and alternatives, graded again: exhaustive tier.
    run = grade("verify", "1", timeout=600)
    assert run.code == 0, run.output
    assert "FAIL" not in run.output
    assert re.search(r"All \d+ checks pass", run.output), run.output
    for check in ("deck", "hints", "slides", "api", "solution passes", "stub fails",
                  "same verdict twice", "mutant "):
        assert re.search(rf"ok\s+01_future\s+{check}", run.output), check
    assert "Traceback" not in run.output


def test_a_healthy_copy_verifies_and_one_stage_checks_only_that_stage(tmp_path: Path) -> None:
    root = copy_repository(tmp_path)
    code, output = run_verify(root, "0")
    assert code == 0, output
    assert re.search(r"ok\s+00_setup\s+solution passes", output), output
    assert "01_future" not in output  # only the stage asked for


def test_broken_solution_fails_solution_passes(tmp_path: Path) -> None:
    root = copy_repository(tmp_path)
    shutil.copy2(root / "exercises" / "00_setup" / "setup.py", root / "solutions" / "00_setup" / "setup.py")
    code, output = run_verify(root, "0")
    assert code == 1, output
    failed = failed_checks(output)
    assert "00_setup solution passes" in failed, output
    # The mutants are edits of the (now broken) solution: they fail to apply, and say so.
    assert all(c == "00_setup solution passes" or c.startswith("00_setup mutant ") for c in failed), output


def test_solved_stub_fails_stub_fails(tmp_path: Path) -> None:
    root = copy_repository(tmp_path)
    shutil.copy2(root / "solutions" / "00_setup" / "setup.py", root / "exercises" / "00_setup" / "setup.py")
    code, output = run_verify(root, "0")
    assert code == 1, output
    assert failed_checks(output) == ["00_setup stub fails"], output
    assert "passes every test" in output


def test_removed_hint_fails_hints(tmp_path: Path) -> None:
    root = copy_repository(tmp_path)
    catalogue = root / "grader" / "catalogue" / "s00_setup.py"
    catalogue.write_text(
        catalogue.read_text(encoding="utf-8")
        + "\nimport dataclasses as _dc\n\n"
        "STAGE = _dc.replace(STAGE, hints=tuple(h for h in STAGE.hints if h.id != 'first_edit'))\n",
        encoding="utf-8",
    )
    code, output = run_verify(root, "0")
    assert code == 1, output
    assert "00_setup hints" in failed_checks(output), output
    assert "first_edit" in output


def test_surviving_mutant_fails_its_mutant_check(tmp_path: Path) -> None:
    root = copy_repository(tmp_path)
    solution = (root / "solutions" / "01_future" / "future.py").read_text(encoding="utf-8")
    line = next(x for x in solution.splitlines(keepends=True) if x.strip() and solution.count(x) == 1)
    # A "mistake" that changes nothing: the tests cannot catch it, so verify must say so.
    (root / "tests" / "mutants" / "m01_future.py").write_text(
        "from grader.mutants import mutant\n\n"
        f"MUTANTS = [mutant('harmless', '01_future', hint='lost_waker', file='future.py', "
        f"find={line!r}, replace={line!r}, note='changes nothing')]\n",
        encoding="utf-8",
    )
    code, output = run_verify(root, "1")
    assert code == 1, output
    assert failed_checks(output) == ["01_future mutant harmless rejected with hint lost_waker"], output
    assert "survived" in output
