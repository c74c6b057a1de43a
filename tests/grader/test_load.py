"""Under load, a verdict is the same verdict: the watchdog tells slow from stuck.

A test that is making progress on a busy machine is not a hang: the child's watchdog counts
the CPU time the test used (a loop that never ends uses the whole limit), with a check for a
test that waits without using any CPU (blocked) and a wall-clock backstop.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import make_target
from grader.catalogue import find_stage
from grader.child_plugin import BACKSTOP_FACTOR, stuck
from grader.paths import REPO_ROOT
from grader.runner import run_stage

FIXTURES = Path(__file__).parent / "fixtures"


def test_slow_but_progressing_is_not_stuck() -> None:
    assert stuck(cpu=2.0, wall=25.0, limit=10.0) is None  # 8 % of a CPU: a loaded machine
    assert stuck(cpu=0.5, wall=9.9, limit=10.0) is None


def test_a_busy_loop_is_stuck_once_it_used_the_limit_in_cpu_time() -> None:
    assert stuck(cpu=10.0, wall=10.2, limit=10.0) == "busy"
    assert stuck(cpu=10.0, wall=40.0, limit=10.0) == "busy"  # slowly, but still a loop


def test_a_blocked_test_is_stuck_after_the_limit_in_wall_time() -> None:
    assert stuck(cpu=0.001, wall=10.0, limit=10.0) == "blocked"
    assert stuck(cpu=0.001, wall=9.0, limit=10.0) is None


def test_every_test_has_a_wall_clock_backstop() -> None:
    assert stuck(cpu=5.0, wall=BACKSTOP_FACTOR * 10.0, limit=10.0) == "backstop"


def test_a_blocked_test_is_reported_as_blocked(tmp_path: Path) -> None:
    stage = find_stage("00_setup")
    assert stage is not None
    source = (FIXTURES / "blocked_forever.py").read_text(encoding="utf-8")
    target = make_target(tmp_path, "00_setup", {"setup.py": source})
    result = run_stage(stage, str(target), test_timeout=1.0)
    failure = result.first_failure
    assert failure is not None and failure.hint == "hang" and failure.name == "test_greeting"
    assert "blocked" in failure.message


@contextmanager
def cpu_hogs() -> Iterator[int]:
    """Two busy-looping processes per CPU beside the grading (a load of 3 per core with it)."""
    count = 2 * (os.cpu_count() or 1)
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"], stdin=subprocess.DEVNULL)
            for _ in range(count)]
    try:
        yield count
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


@pytest.mark.skipif(not (REPO_ROOT / "solutions").is_dir(), reason="no solutions/ in a student copy")
@pytest.mark.heavy
@pytest.mark.timeout(300)
# 03's model tests are the longest CPU-bound run of the day; 07's (timers, threads) prove the
# same rule of the watchdog again, so they run in the exhaustive tier only.
@pytest.mark.parametrize("stage_id", ["03_channel",
                                      pytest.param("07_timers", marks=pytest.mark.exhaustive)])
def test_model_tests_under_cpu_hogs_get_the_same_verdict(stage_id: str) -> None:
    """The limit is just above what the whole stage takes on a quiet machine, so no test can use
    that much CPU; with the hogs, the model tests take several times as long in wall-clock time.
    A watchdog that timed wall-clock seconds called them hangs; this one must not."""
    stage = find_stage(stage_id)
    assert stage is not None
    quiet = run_stage(stage, "solutions")
    assert quiet.status == "passed", quiet.first_failure
    limit = max(1.0, 1.2 * quiet.seconds)
    with cpu_hogs():
        loaded = run_stage(stage, "solutions", test_timeout=limit)
    assert loaded.status == "passed", loaded.first_failure
    assert [(t.name, t.status) for t in loaded.tests] == [(t.name, t.status) for t in quiet.tests]
