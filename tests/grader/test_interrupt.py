"""Ctrl-C during a run or during watch: a calm message, exit 130, no child left behind.

POSIX only: the test sends SIGINT to the whole process group, as a terminal does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import make_target
from grader.paths import REPO_ROOT
from tests_support import GOOD_SETUP

pytestmark = pytest.mark.skipif(os.name == "nt", reason="sends POSIX signals to a process group")

HANGING = GOOD_SETUP.replace('    return "Hello, Future!"', "    while True:\n        pass")


def interrupt(args: list[str], tmp_path: Path, wait: float = 3.0) -> tuple[int, str]:
    env = {**os.environ, "GRADE_PROGRESS": str(tmp_path / "progress.json")}
    child = subprocess.Popen([sys.executable, "-m", "grader.cli", *args], cwd=REPO_ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             stdin=subprocess.DEVNULL, start_new_session=True)
    time.sleep(wait)  # long enough for grade to be running; the verdict doesn't depend on it
    os.killpg(child.pid, signal.SIGINT)
    output, _ = child.communicate(timeout=30)
    return child.returncode, output


def test_ctrl_c_during_a_run(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": HANGING})
    code, output = interrupt(["0", "--target", str(target), "--timeout", "60"], tmp_path)
    assert code == 130, output
    assert "Interrupted" in output and "Traceback" not in output


def test_ctrl_c_during_watch(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    code, output = interrupt(["watch", "0", "--target", str(target)], tmp_path, wait=4.0)
    assert code == 130, output
    assert "Interrupted" in output and "Traceback" not in output
