"""Ctrl-C during a run or during watch: a calm message, exit 130, no child left behind.

The run's child is started by grade itself, or forked by the fork server (grader.forkserver):
either way the attendee's process is gone once grade has exited.

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
from grader.forkserver import serving
from grader.paths import REPO_ROOT
from grader.runner import child_env
from tests_support import GOOD_SETUP, gone, hangs_after_writing_its_pid, running_pid

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="sends POSIX signals to a process group"),
    pytest.mark.skipif(shutil.which("pgrep") is None, reason="needs pgrep to see the child start"),
]



def interrupt(args: list[str], tmp_path: Path, ready: Callable[[int, str], bool],
              **settings: str) -> tuple[int, str]:
    """Start `grade`, wait until `ready(pid, output so far)`, then Ctrl-C its process group."""
    # PYTHONFAULTHANDLER: if grade ever fails to exit, SIGABRT makes it print where it is stuck.
    env = {**os.environ, "GRADE_PROGRESS": str(tmp_path / "progress.json"), "PYTHONFAULTHANDLER": "1",
           **settings}
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


def parent_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    raise AssertionError(f"no parent in /proc/{pid}/status")


@pytest.mark.parametrize("forkserver", ["0", "1"], ids=["own child", "fork server"])
def test_ctrl_c_during_a_run(tmp_path: Path, forkserver: str) -> None:
    if forkserver == "1" and not sys.platform.startswith("linux"):
        pytest.skip("the fork server runs on Linux only")
    marker = tmp_path / "running.txt"
    loops = hangs_after_writing_its_pid(marker)
    target = make_target(tmp_path, "00_setup", {"setup.py": loops})
    args = ["0", "--target", str(target), "--timeout", "60", "--no-cache"]
    if forkserver == "1":  # a server that is warm and current, so this run is forked from it
        assert serving(child_env({**os.environ, "PYTHONFAULTHANDLER": "1"}))
    parents: list[tuple[int, int]] = []

    def running(grade: int, output: str) -> bool:
        pid = running_pid(marker)
        if pid is not None and sys.platform.startswith("linux"):
            parents.append((grade, parent_of(pid)))
        return pid is not None

    code, output = interrupt(args, tmp_path, running, GRADE_FORKSERVER=forkserver)
    for grade, parent in parents[-1:]:
        assert (parent == grade) == (forkserver == "0"), "the run was not started the way this test asks"
    assert code == 130, output
    assert "Interrupted" in output and "Traceback" not in output
    pid = running_pid(marker)
    assert pid is not None and gone(pid), "the process running the attendee's code was left behind"


def test_ctrl_c_during_watch(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    code, output = interrupt(["watch", "0", "--target", str(target)], tmp_path,
                             lambda pid, output: "Watching" in output)
    assert code == 130, output
    assert "Interrupted" in output and "Traceback" not in output
