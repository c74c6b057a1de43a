"""The watchdog's fast rule (child_plugin.Tracker): a loop or a block in the attendee's code is
named in seconds, a slow machine is not a hang. The rule is checked with injected CPU and
wall-clock figures (no timing here); one run each shows a looping and a blocked stub named."""

from __future__ import annotations

from pathlib import Path

from conftest import make_target
from grader.catalogue import find_stage
from grader.child_plugin import BLOCKED_SHARE, LOOP_SHARE, MAX_TICK_GAP, Tracker
from grader.runner import run_stage

FIXTURES = Path(__file__).parent / "fixtures"
LIMIT = 10.0
CALL = (3, 1234, 5678)  # one call of the attendee's code, as the watchdog sees it


def ticks(tracker: Tracker, seconds: float, cpu_share: float, call: object = CALL,
          tick: float = 0.1, start: tuple[float, float] = (0.0, 0.0)) -> tuple[str, float] | None:
    """Feed `seconds` of ticks in which the process used `cpu_share` of a CPU; the first verdict."""
    wall, cpu = start
    for _ in range(round(seconds / tick)):
        wall, cpu = wall + tick, cpu + tick * cpu_share
        verdict = tracker.see(wall, cpu, call)  # type: ignore[arg-type]
        if verdict is not None:
            return verdict
    return None


def test_a_call_that_keeps_the_cpu_busy_is_a_loop_at_the_cpu_budget() -> None:
    verdict = ticks(Tracker(LIMIT, 0.0, 0.0), seconds=5.0, cpu_share=1.0)
    assert verdict is not None and verdict[0] == "busy"
    assert LOOP_SHARE * LIMIT <= verdict[1] < LOOP_SHARE * LIMIT + 0.2


def test_a_loop_on_a_loaded_machine_is_still_a_loop_only_later() -> None:
    """At load 10 on 2 cores the loop gets a fifth of a CPU: named after 5x the CPU budget in wall time."""
    tracker = Tracker(LIMIT, 0.0, 0.0)
    assert ticks(tracker, seconds=LOOP_SHARE * LIMIT * 4.5, cpu_share=0.2) is None
    verdict = ticks(tracker, seconds=2.0, cpu_share=0.2, start=(tracker.wall, tracker.cpu))
    assert verdict is not None and verdict[0] == "busy"


def test_many_short_calls_are_not_a_loop_however_much_cpu_the_test_uses() -> None:
    """A model-based test calls the attendee's code thousands of times: each call is new."""
    tracker = Tracker(LIMIT, 0.0, 0.0)
    wall = cpu = 0.0
    for n in range(1000):  # 100 s of full CPU, a different call (or the tests' own code) each tick
        wall, cpu = wall + 0.1, cpu + 0.1
        assert tracker.see(wall, cpu, None if n % 3 == 0 else (3, n, 5678)) is None


def test_a_slow_call_that_progresses_under_load_is_not_stuck() -> None:
    """Load 10 on 2 cores and worse: the call gets 5 % of a CPU for a minute (3 CPU seconds would
    be a loop, and it stays under: so the budget must be above what a correct call uses)."""
    tracker = Tracker(LIMIT, 0.0, 0.0)
    assert ticks(tracker, seconds=LOOP_SHARE * LIMIT / 0.05 - 1, cpu_share=0.05) is None


def test_waiting_with_no_cpu_used_is_blocked_after_the_blocked_share() -> None:
    tracker = Tracker(LIMIT, 0.0, 0.0)
    verdict = ticks(tracker, seconds=10.0, cpu_share=0.001)
    assert verdict is not None and verdict[0] == "blocked"
    assert BLOCKED_SHARE * LIMIT <= verdict[1] < BLOCKED_SHARE * LIMIT + 0.2


def test_any_cpu_used_meanwhile_means_something_still_runs() -> None:
    tracker = Tracker(LIMIT, 0.0, 0.0)
    for _ in range(20):  # 2.5 s idle, then one tick in which another thread ran: start again
        assert ticks(tracker, seconds=BLOCKED_SHARE * LIMIT - 0.5, cpu_share=0.0,
                     start=(tracker.wall, tracker.cpu)) is None
        assert tracker.see(tracker.wall + 0.1, tracker.cpu + 0.01, CALL) is None


def test_a_late_tick_is_not_counted_as_waiting() -> None:
    """A suspended laptop (or a watchdog starved of CPU) must not turn into a blocked test."""
    tracker = Tracker(LIMIT, 0.0, 0.0)
    assert tracker.see(0.1, 0.0, CALL) is None
    assert tracker.see(0.1 + 3600.0, 0.0, CALL) is None  # an hour asleep
    assert tracker.see(3600.2 + MAX_TICK_GAP, 0.0, CALL) is None
    assert tracker.idle == 0.0


def test_the_tests_own_timed_waits_are_left_to_the_tests() -> None:
    """No attendee call on the main thread (a kit watchdog joining a worker): the test's own
    limit and hint apply, only the whole-test limits of `stuck` remain."""
    tracker = Tracker(LIMIT, 0.0, 0.0)
    assert ticks(tracker, seconds=60.0, cpu_share=0.0, call=None) is None
    assert ticks(tracker, seconds=60.0, cpu_share=1.0, call=None) is None


def test_the_budgets_scale_with_the_limit() -> None:
    """`grade --timeout 30` on a slow laptop makes every limit three times as lenient."""
    assert ticks(Tracker(30.0, 0.0, 0.0), seconds=LOOP_SHARE * 30.0 - 0.5, cpu_share=1.0) is None
    assert ticks(Tracker(30.0, 0.0, 0.0), seconds=BLOCKED_SHARE * 30.0 - 0.5, cpu_share=0.0) is None


def test_a_looping_stub_is_reported_as_a_loop_at_its_line(tmp_path: Path) -> None:
    stage = find_stage("00_setup")
    assert stage is not None
    source = (FIXTURES / "loops_forever.py").read_text(encoding="utf-8")
    target = make_target(tmp_path, "00_setup", {"setup.py": source})
    result = run_stage(stage, str(target), test_timeout=2.0)
    failure = result.first_failure
    assert result.problem == "hang" and failure is not None and failure.hint == "hang"
    assert "kept the processor busy" in failure.message
    assert failure.location is not None and failure.location["function"] == "greeting"
    assert failure.location["code"] in ("while True:", "count += 1")
