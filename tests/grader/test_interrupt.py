"""Ctrl-C during a run or during watch: a calm message, exit 130, no child left behind.

POSIX only: the test sends SIGINT to the whole process group, as a terminal does.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import make_target
from grader.paths import REPO_ROOT
from tests_support import GOOD_SETUP

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="sends POSIX signals to a process group"),
    pytest.mark.skipif(shutil.which("pgrep") is None, reason="needs pgrep to see the child start"),
]

HANGING = GOOD_SETUP.replace('    return "Hello, Future!"', "    while True:\n        pass")


def interrupt(args: list[str], tmp_path: Path, ready: Callable[[int, str], bool]) -> tuple[int, str]:
    """Start `grade`, wait until `ready(pid, output so far)`, then Ctrl-C its process group."""
    # PYTHONFAULTHANDLER: if grade ever fails to exit, SIGABRT makes it print where it is stuck.
    env = {**os.environ, "GRADE_PROGRESS": str(tmp_path / "progress.json"), "PYTHONFAULTHANDLER": "1"}
    log = tmp_path / "output.txt"
    with open(log, "w", encoding="utf-8") as sink:
        child = subprocess.Popen([sys.executable, "-m", "grader.cli", *args], cwd=REPO_ROOT, env=env,
                                 stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True, preexec_fn=_as_from_a_terminal)
        deadline = time.monotonic() + 60
        while not ready(child.pid, log.read_text(encoding="utf-8")) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling a condition, not timing the verdict
        os.killpg(child.pid, signal.SIGINT)
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGABRT)
            child.wait()
            os.killpg(child.pid, signal.SIGKILL)
            pytest.fail(f"grade did not exit after Ctrl-C; its output:\n{log.read_text(encoding='utf-8')}")
    return child.returncode, log.read_text(encoding="utf-8")


def _as_from_a_terminal() -> None:
    """Ctrl-C reaches grade as it would from a terminal, even when this test run itself was
    started in the background (where SIGINT is inherited as ignored, and Python keeps it so)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def has_child_process(pid: int, output: str) -> bool:
    """The child pytest is running (so grade is inside its run, past all imports)."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return bool(found.stdout.strip())


def test_ctrl_c_during_a_run(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": HANGING})
    code, output = interrupt(["0", "--target", str(target), "--timeout", "60"], tmp_path,
                             has_child_process)
    assert code == 130, output
    assert "Interrupted" in output and "Traceback" not in output


def test_ctrl_c_during_watch(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    code, output = interrupt(["watch", "0", "--target", str(target)], tmp_path,
                             lambda pid, output: "Watching" in output)
    assert code == 130, output
    assert "Interrupted" in output and "Traceback" not in output
