"""A spare child (started ahead, warm, waiting for its request) keeps every rule of a cold one:
one run per process, the channel and its key only on the request line, a stale spare unused."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_target
from grader import runner
from grader.catalogue import find_stage
from tests_support import GOOD_SETUP

STAGE = find_stage("00_setup")
assert STAGE is not None

CHECKS_ITS_PROCESS = GOOD_SETUP + (
    "\nimport os, sys\n"
    "def first_poll():\n"
    "    import re\n"
    "    assert not any(re.search('[0-9a-f]{64}', a) for a in sys.argv), sys.argv\n"
    "    assert not any('GRADE' in k for k in os.environ), sorted(os.environ)\n"
    "    assert os.read(0, 1000) == b''\n"
    "    assert '_stage_00_setup_setup' in sys.modules\n"
    "    assert not hasattr(sys, 'graded_before'), 'a second run in one interpreter'\n"
    "    sys.graded_before = True\n"
    "    return Ready(greeting())\n"
)


@pytest.fixture
def no_spare() -> object:
    yield
    with runner._spare_lock:
        spare, runner._spare = runner._spare, None
    if spare is not None:
        spare.discard()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("light", [False, True])
def test_a_warm_spare_serves_one_run_with_nothing_in_argv_or_env(tmp_path: Path, light: bool,
                                                                  no_spare: object, child_start: str) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": CHECKS_ITS_PROCESS})
    runner.prestart(light=light)
    spare = runner._spare
    assert spare is not None
    first = runner.run_stage(STAGE, str(target))
    assert first.status == "passed", first.first_failure
    assert spare.process.poll() is not None  # it served its one run and is gone
    assert runner._spare is None  # nobody asked for another
    second = runner.run_stage(STAGE, str(target))  # a fresh interpreter again
    assert second.status == "passed", second.first_failure


def test_a_spare_started_before_the_kit_changed_is_not_used(monkeypatch: pytest.MonkeyPatch,
                                                            no_spare: object) -> None:
    monkeypatch.setenv("GRADE_FORKSERVER", "0")  # the fork server's own check: test_forkserver.py
    runner.prestart()
    spare = runner._spare
    assert spare is not None and spare.usable()
    state = spare.state
    monkeypatch.setattr(runner, "preimported_state", lambda: (*state, ("tests/kit/new.py", 1, 1)))
    assert not spare.usable()
    taken = runner._take_spare()
    try:
        assert taken is not spare and spare.process.poll() is not None  # discarded, a new one
    finally:
        taken.discard()


@pytest.mark.timeout(120)
def test_watch_keeps_one_spare_waiting_and_none_after(tmp_path: Path, child_start: str) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    with runner.spares_kept_warm():
        assert runner._spare is not None
        result = runner.run_stage(STAGE, str(target))
        assert result.status == "passed", result.first_failure
        waiting = runner._spare
        assert waiting is not None and waiting.process.poll() is None  # the next save's child
    assert runner._spare is None and waiting.process.poll() is not None
