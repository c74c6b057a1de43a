"""Debugging: the failing test's own output is in the panel (bounded), and `grade N --pdb`
runs that test alone in the foreground, where print() and breakpoint() work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import make_target
from grader.paths import REPO_ROOT
from grader.runner import WINDOWS_CRASHES, _crash
from tests_support import GOOD_SETUP

PRINTING = GOOD_SETUP.replace('    return "Hello, Future!"',
                              '    for n in range(30):\n        print(f"debug line {n}")\n'
                              '    return "Goodbye"')


def test_the_failing_tests_prints_are_in_the_panel_last_lines_only(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = make_target(tmp_path, "00_setup", {"setup.py": PRINTING})
    run = grade("0", "--target", str(target), env={"COLUMNS": "100"})
    assert run.code == 1, run.output
    assert "Your output" in run.output
    assert "debug line 29" in run.output and "debug line 5\n" not in run.output
    assert "earlier line(s) not shown" in run.output


def test_grade_pdb_runs_the_failing_test_in_the_foreground(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": PRINTING.replace(
        '    return "Goodbye"', '    breakpoint()\n    return "Goodbye"')})
    env = {**os.environ, "GRADE_PROGRESS": str(tmp_path / "progress.json"), "COLUMNS": "100",
           "PYTHONBREAKPOINT": ""}
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run([sys.executable, "-m", "grader.cli", "0", "--target", str(target), "--pdb"],
                          cwd=REPO_ROOT, env=env, input="p n\nc\nc\nq\n", capture_output=True,
                          text=True, timeout=180)
    out = done.stdout + done.stderr
    assert "Debugging" in out and "(Pdb)" in out, out
    assert "debug line 29" in out  # print() shows, not captured
    assert "Traceback (most recent call last)" not in out.split("Debugging", 1)[0]
    assert done.returncode == 1


def test_pdb_needs_a_stage(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("--pdb")
    assert run.code == 2 and "--pdb goes with a stage" in run.output


def test_a_windows_crash_code_is_named() -> None:
    message = _crash("test_x", 3221225477, "", None, None).message
    assert "access violation" in message and "3221225477" not in message
    assert 0xC00000FD in WINDOWS_CRASHES
