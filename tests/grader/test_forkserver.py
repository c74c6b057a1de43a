"""The fork server (grader.forkserver) serves only current, authenticated clients, and leaves
nothing behind: not when it is idle, not when the `grade` that asked for a run is killed.

What a forked run must keep (one run per process, nothing in argv or the environment, the
verdicts of exits, crashes and hangs) is tested both ways in test_spare.py, test_integrity.py
and test_interrupt.py (the `child_start` fixture).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import make_target
from grader import forkserver, runner
from grader.catalogue import find_stage
from grader.paths import REPO_ROOT
from tests_support import GOOD_SETUP, HANGING, copy_repository, gone, hangs_after_writing_its_pid, running_pid

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the fork server runs on Linux only")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """A current server, registered; its registration."""
    monkeypatch.setenv("GRADE_FORKSERVER", "1")
    env = runner.child_env()
    assert forkserver.serving(env)
    path = forkserver.registration(forkserver.identity(runner.preimported_state(), env))
    info: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return info


def test_a_current_server_forks_the_child(server: dict[str, object]) -> None:
    spare = runner._take_spare()
    try:
        assert isinstance(spare.process, forkserver.ForkedChild)
    finally:
        spare.discard()


def test_a_server_started_with_other_files_is_not_used(server: dict[str, object],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    state = runner.preimported_state()
    monkeypatch.setattr(runner, "preimported_state", lambda: (*state, ("tests/kit/new.py", 1, 1)))
    launched: list[object] = []
    monkeypatch.setattr(forkserver, "launch", lambda wanted, env: launched.append(wanted))
    spare = runner._take_spare()
    try:
        assert not isinstance(spare.process, forkserver.ForkedChild)  # a child of its own
        assert launched, "a current server should have been asked for, for the next run"
    finally:
        spare.discard()


def test_a_client_without_the_secret_gets_no_run(server: dict[str, object], tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    output = tmp_path / "output.txt"
    output.touch()
    try:
        child = forkserver.ForkedChild(str(server["address"]), "00" * 32, write_end, output,
                                       runner.child_env())
        child.stdin.write(b'{"mode": "collect"}\n')
        assert child.pid is None and child.wait(timeout=10) == forkserver.LOST
    finally:
        os.close(read_end)
        os.close(write_end)


def test_an_idle_server_exits_and_leaves_nothing(tmp_path: Path) -> None:
    # In a copy of the repository: its server is its own (other tests use this checkout's).
    root = copy_repository(tmp_path)
    env = {**runner.child_env(), "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-m", "grader.forkserver", "1"], cwd=root, env=env, check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    registered: list[Path] = []
    while not registered and time.monotonic() < deadline:
        registered = list((root / ".grade").glob("forkserver-*.json"))
        time.sleep(0.05)  # polling for the registration, not timing anything
    assert registered, "the server never registered"
    info = json.loads(registered[0].read_text(encoding="utf-8"))
    assert gone(int(info["pid"])), "the idle server did not exit"
    assert not Path(info["address"]).exists() and not Path(info["address"]).parent.exists()
    assert not list((root / ".grade").glob("forkserver-*")), "its registration was left behind"


def test_killing_grade_mid_run_stops_the_forked_child(server: dict[str, object], tmp_path: Path) -> None:
    marker = tmp_path / "running.txt"
    target = make_target(tmp_path, "00_setup", {"setup.py": hangs_after_writing_its_pid(marker)})
    env = {**os.environ, "GRADE_PROGRESS": str(tmp_path / "progress.json"), "GRADE_FORKSERVER": "1"}
    grade = subprocess.Popen([sys.executable, "-m", "grader.cli", "0", "--target", str(target),
                              "--timeout", "60", "--no-cache"], cwd=REPO_ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while running_pid(marker) is None and time.monotonic() < deadline:
            time.sleep(0.05)  # polling for the marker, not timing anything
        pid = running_pid(marker)
        assert pid is not None, "the attendee's code never ran"
    finally:
        grade.send_signal(signal.SIGKILL)  # no handler runs: only the supervisor can clean up
        grade.wait()
    assert gone(pid), "the forked child outlived the grade that asked for it"


def test_a_server_that_goes_away_before_forking_costs_a_child_of_our_own(
        server: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing of the attendee's ran: not their crash, their run is simply started again."""
    def lost(self: forkserver.ForkedChild, line: bytes) -> None:
        for fd in self.fds:  # as start() does whatever happens: the descriptors are let go
            os.close(fd)
        self.fds = ()
        self.returncode = forkserver.LOST  # as when the supervisor is gone before it answers

    monkeypatch.setattr(forkserver.ForkedChild, "start", lost)
    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    stage = find_stage("00_setup")
    assert stage is not None
    result = runner.run_stage(stage, str(target))
    assert result.status == "passed", result.first_failure


def test_a_stopped_server_is_given_up_on_after_the_handshake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADE_FORKSERVER", "1")
    monkeypatch.setenv("PYTHON_STOPPED_SERVER_TEST", "1")  # a server of its own (PYTHON*: identity)
    env = runner.child_env()
    assert forkserver.serving(env)
    path = forkserver.registration(forkserver.identity(runner.preimported_state(), env))
    pid = int(json.loads(path.read_text(encoding="utf-8"))["pid"])
    os.kill(pid, signal.SIGSTOP)
    try:
        spare = runner._take_spare()  # within HANDSHAKE_SECONDS, a child of its own
        try:
            assert not isinstance(spare.process, forkserver.ForkedChild)
        finally:
            spare.discard()
    finally:
        os.kill(pid, signal.SIGCONT)
        path.unlink(missing_ok=True)  # it (and the one started meanwhile) leave at their next tick


def test_stopping_a_forked_run_stops_what_it_started(server: dict[str, object], tmp_path: Path) -> None:
    """A run stopped for a hang takes its process group along: the runner and its own children."""
    marker = tmp_path / "sleeper.txt"
    starts_a_sleeper = (f"    import subprocess\n"
                        f"    sleeper = subprocess.Popen(['sleep', '300'])\n"
                        f"    open({str(marker)!r}, 'w').write(str(sleeper.pid))\n")
    target = make_target(tmp_path, "00_setup", {"setup.py": HANGING.replace(
        "    while True:", starts_a_sleeper + "    while True:")})
    stage = find_stage("00_setup")
    assert stage is not None
    result = runner.run_stage(stage, str(target), test_timeout=2.0)
    assert result.status == "failed"
    pid = running_pid(marker)
    assert pid is not None, "the attendee's code never ran"
    assert gone(pid), "a process the stopped run started was left behind"
