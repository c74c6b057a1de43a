"""The fork server against hostile or unlucky timing: what a review found (grader.forkserver).

- A grader file changed while a server imports (a `git pull` during its warm-up) must leave
  that server out of date, never registered as current with its old code.
- Attendee code that stops its own parent (the run's supervisor, with SIGSTOP) must not make
  `grade` wait forever for an exit status the supervisor will never send; nothing is left.
- A forked run has its own `grade`'s TZ and TMPDIR, not the server's (not in its identity).
- Attendee code that signals its process group (`os.kill(0, SIGKILL)`) must not kill the server
  and with it every run it serves at the time (another `grade`'s correct code: "crash").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import make_target
from grader import forkserver, runner
from grader.catalogue import find_stage
from grader.runner import run_stage
from tests_support import copy_repository, gone

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the fork server runs on Linux only")

STAGE = find_stage("00_setup")

CURRENT_IS_REGISTERED = (
    "from grader import forkserver; from grader.runner import child_env, preimported_state; "
    "print(forkserver.registration(forkserver.identity(preimported_state(), child_env())).exists())")


def test_a_file_changed_during_warm_up_leaves_the_server_out_of_date(tmp_path: Path) -> None:
    root = copy_repository(tmp_path)
    child = root / "grader" / "child.py"
    # The edit lands after stdtask was imported, before the server registers.
    edit = ("    gc.freeze()\n"
            "    with open(REPO_ROOT / 'stdtask' / '__init__.py', 'a') as stream:\n"
            "        stream.write('\\nEDITED_DURING_WARM_UP = 1\\n')\n")
    text = child.read_text(encoding="utf-8")
    assert text.count("    gc.freeze()\n") == 1
    child.write_text(text.replace("    gc.freeze()\n", edit), encoding="utf-8")
    env = {**runner.child_env(), "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-m", "grader.forkserver", "30"], cwd=root, env=env, check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    registered: list[Path] = []
    while not registered and time.monotonic() < deadline:
        registered = list((root / ".grade").glob("forkserver-*.json"))
        time.sleep(0.05)  # polling for the registration, not timing anything
    assert registered, "the server never registered"
    pid = int(json.loads(registered[0].read_text(encoding="utf-8"))["pid"])
    try:
        current = subprocess.run([sys.executable, "-c", CURRENT_IS_REGISTERED], cwd=root, env=env,
                                 capture_output=True, text=True, check=True).stdout.strip()
        assert current == "False", "a server with the old stdtask is registered as current"
        assert gone(pid), "the out-of-date server did not leave"
    finally:
        for path in (root / ".grade").glob("forkserver-*.json"):
            path.unlink(missing_ok=True)  # it leaves at its next tick


STOPS_ITS_PARENT = """\
import os, signal

from stdtask import Poll, Ready


def greeting() -> str:
    open({marker!r}, "w").write(str(os.getppid()))
    os.kill(os.getppid(), signal.SIGSTOP)
    os.kill(os.getpid(), signal.SIGSTOP)  # silent (no heartbeat), without burning CPU
    return "Hello, Future!"


def first_poll() -> Poll[str]:
    return Ready(greeting())
"""


@pytest.mark.timeout(120)  # a hang is this test's failure
def test_a_stopped_supervisor_does_not_hang_grade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADE_FORKSERVER", "1")
    monkeypatch.setattr(forkserver, "REPLY_SECONDS", 1.0)  # how long a stopped supervisor is given
    assert forkserver.serving(runner.child_env())
    marker = tmp_path / "supervisor.txt"
    target = make_target(tmp_path, "00_setup", {"setup.py": STOPS_ITS_PARENT.format(marker=str(marker))})
    result = run_stage(STAGE, str(target), test_timeout=3)
    assert result.status == "failed"
    supervisor = int(marker.read_text(encoding="utf-8"))
    assert supervisor != os.getpid()
    assert gone(supervisor), "the stopped supervisor was left behind"


SAYS_ITS_ENVIRONMENT = """\
import tempfile, time

from stdtask import Poll, Ready


def greeting() -> str:
    open({marker!r}, "w").write(repr((time.tzname[0], tempfile.gettempdir())))
    return "Hello, Future!"


def first_poll() -> Poll[str]:
    return Ready(greeting())
"""


def test_a_forked_run_has_the_time_zone_and_temporary_folder_of_its_grade(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # TZ and TMPDIR are not part of a server's identity: one server serves both environments,
    # so its runner must not keep what the server read from its own at start.
    monkeypatch.setenv("GRADE_FORKSERVER", "1")
    assert forkserver.serving(runner.child_env())
    monkeypatch.setenv("TZ", "ADV-5")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert forkserver.serving(runner.child_env(), timeout=0.5), "TZ or TMPDIR became part of the identity"
    marker = tmp_path / "environment.txt"
    target = make_target(tmp_path, "00_setup", {"setup.py": SAYS_ITS_ENVIRONMENT.format(marker=str(marker))})
    assert run_stage(STAGE, str(target)).status == "passed"
    assert marker.read_text(encoding="utf-8") == repr(("ADV", str(tmp_path)))


KILLS_ITS_GROUP = """\
import os, signal

from stdtask import Poll, Ready


def greeting() -> str:
    os.kill(0, signal.SIGKILL)
    return "Hello, Future!"


def first_poll() -> Poll[str]:
    return Ready(greeting())
"""


def test_killing_its_process_group_does_not_reach_the_server(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADE_FORKSERVER", "1")
    monkeypatch.setenv("PYTHON_ADVERSARIAL_GROUP", "1")  # a server of its own (PYTHON*: identity)
    env = runner.child_env()
    assert forkserver.serving(env)
    path = forkserver.registration(forkserver.identity(runner.preimported_state(), env))
    pid = int(json.loads(path.read_text(encoding="utf-8"))["pid"])
    try:
        target = make_target(tmp_path, "00_setup", {"setup.py": KILLS_ITS_GROUP})
        assert run_stage(STAGE, str(target)).first_failure.hint == "crash"  # type: ignore[union-attr]
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state != "Z", "the run killed the server, and every run it served"
    finally:
        path.unlink(missing_ok=True)  # the server leaves at its next tick
