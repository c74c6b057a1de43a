"""Stage 07: timers in the runtime: sleep, sleep_until, timeout, an injectable clock.

Order matters: basic behaviour first, then one test per mistake, so the first failure
names the mistake (see tests/mutants/m07_timers.py). Time is virtual (kit/clock.py): it
moves only when a test advances it or when the idle executor jumps it, so every run is
exact. Where real time matters (the clock moves between two reads) a scripted clock ticks
on every read (kit/ticking_clock.py; kit/running_clock.py for the path of a clock that is
not paused), never real time. Wakes from another thread are timed by states (kit.parking,
kit.cross_thread), not by sleeps; a real-clock timer is only ever waited for under a watchdog.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import pytest
from hypothesis import seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kit import HintedFailure, ManualTask, ScriptedFuture, SpyWaker, expect, fail, load_stage, poll_once
from kit.checking_waker import InlineTask
from kit.clock import VirtualClock
from kit.cross_thread import ThreadFlag, start_when_parked, when_parked
from kit.failures import raised
from kit.running_clock import RunningClock
from kit.spies import expect_polled_after_completion_detected
from kit.ticking_clock import NEGATIVE_PARK, TickingClock
from kit.watchdog import watchdog
from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, TodoError, Waker

stage = load_stage("07_timers")

LIMIT = 5.0  # seconds: only a hang catcher, every test here takes milliseconds
R = TypeVar("R")
FALSY = (0, "", None, [], False, 0.0)


# --- helpers ------------------------------------------------------------------------------

def run(root: Any, clock: Any, hint: str, what: str = "the test's root future") -> Any:
    """`block_on(root, clock=clock)`, turning a hang into a failure with `hint`."""
    return watchdog(lambda: stage.block_on(root, clock=clock), seconds=LIMIT, hint=hint,
                    message=f"block_on({what}) never returned")


def is_tie_error(error: BaseException) -> bool:
    """The TypeError of a heap comparing two items that have no order (wakers, entries)."""
    return isinstance(error, TypeError) and "not supported between instances" in str(error)


def no_tie(what: str, action: Callable[[], R]) -> R:
    """Run `action`; the heap comparing unorderable items becomes the `heap_tie` failure.

    Any other exception goes on as itself (the grader shows it at its line).
    """
    try:
        return action()
    except TypeError as error:
        if is_tie_error(error):
            fail("heap_tie", f"{what} raised {raised(error)}: two timers with the same deadline "
                             "made the heap compare the next field of its items.")
        raise


class OrderSpy(Waker):
    """A waker that appends its name to a shared log when woken (wake order across timers)."""

    __slots__ = ("log", "name")

    def __init__(self, log: list[str], name: str) -> None:
        super().__init__()
        self.log, self.name = log, name

    def wake(self) -> None:
        self.log.append(self.name)


class PollOnce(Future[Poll[Any]]):
    """Polls `inner` once with the task's waker and finishes with what it answered.

    Used to let one task poll a future (which stores that task's waker) before another task
    awaits the same future: the future has moved to a new task with a new waker.
    """

    def __init__(self, inner: Future[Any]) -> None:
        self.inner = inner

    def poll(self, cx: Context) -> Poll[Poll[Any]]:
        return Ready(self.inner.poll(cx))


class Probe(Future[Any]):
    """Records what `look()` returns each time it is polled, then polls `inner`."""

    def __init__(self, inner: Future[Any], look: Callable[[], Any]) -> None:
        self.inner, self.look = inner, look
        self.seen: list[Any] = []

    def poll(self, cx: Context) -> Poll[Any]:
        self.seen.append(self.look())
        return self.inner.poll(cx)


def yield_now(name: str) -> ScriptedFuture[None]:
    """Pending once, waking itself (tokio's `yield_now`): the task stays runnable."""
    return ScriptedFuture(pending=1, self_wake=True, name=name)


def timeout_task(timeout: Any) -> ManualTask[Any]:
    """A ManualTask polling a Timeout; a waker nobody keeps is the latest-waker mistake here."""
    return ManualTask(timeout, what="the Timeout", lost_waker_hint="stale_waker",
                      stale_waker_hint="stale_waker")


def driver_state(driver: Any) -> tuple[int, float | None]:
    """(len(driver), next_deadline()); the count read without len(), so a negative one shows."""
    return driver.__len__(), driver.next_deadline()


class CatchElapsed(Future[str]):
    """Polls a Timeout; finishes with "elapsed" when it raises Elapsed (as `except` would)."""

    def __init__(self, timeout: Any) -> None:
        self.timeout = timeout

    def poll(self, cx: Context) -> Poll[str]:
        try:
            result = self.timeout.poll(cx)
        except stage.Elapsed:
            return Ready("elapsed")
        return Pending if result is Pending else Ready(f"returned {result!r}")


# --- sleep in the executor -----------------------------------------------------------------

@pytest.mark.hint("fired_early")
def test_sleep_is_never_ready_early() -> None:
    deadline = 2.0
    just_before = math.nextafter(deadline, -math.inf)  # the largest float below 2
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    sleep = stage.Sleep(driver, deadline)
    spy = SpyWaker("the Sleep's waker")
    sleep_polled = False  # a later poll may rely on what the first one saw; the first cannot
    for when, what in ((0.0, "its first poll at t=0"), (0.0, "a spurious second poll at t=0"),
                       (1.5, "a poll at t=1.5"),
                       (just_before, f"a poll at t={just_before!r} (the largest float below 2)")):
        clock.advance(when - clock.now())
        reads = clock.reads
        result = poll_once(sleep, spy)
        expect(result is Pending or clock.reads > reads or sleep_polled, "sleep_clock",
               f"Sleep(deadline=2), made with a TimerDriver on a virtual clock at t={when:g}, "
               f"answered {result!r} on {what} without reading that clock (the driver's "
               "clock.now() was not called during the poll): it finished early, by some other "
               "clock's time.")
        sleep_polled = True
        expect(result is Pending, "fired_early",
               f"Sleep(deadline=2) answered {result!r} on {what}: it finished early.")
    fired = driver.fire_expired()
    expect(not spy.woken, "fired_early",
           f"At t={just_before!r}, the largest float below 2, fire_expired() woke the timer "
           f"due at t=2 (it returned {fired!r}): a timer is never early, by any epsilon.")


@pytest.mark.hint("not_due_at_deadline")
def test_sleep_is_ready_exactly_at_its_deadline() -> None:
    clock = VirtualClock(start=2.0)
    driver = stage.TimerDriver(clock)
    result = poll_once(stage.Sleep(driver, 2.0))
    expect(result == Ready(None), "not_due_at_deadline",
           f"A Sleep(deadline=2) polled for the first time at exactly t=2 returned {result!r} "
           "instead of Ready(None).")
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    sleep = stage.Sleep(driver, 2.0)
    spy = SpyWaker("the Sleep's waker")
    poll_once(sleep, spy)
    clock.advance(2.0)
    driver.fire_expired()
    expect(spy.woken, "not_due_at_deadline",
           "A Sleep(deadline=2) was polled at t=0; at exactly t=2, fire_expired() did not wake "
           "its waker.")
    result = poll_once(sleep, spy)
    expect(result == Ready(None), "not_due_at_deadline",
           f"A Sleep(deadline=2) woken at exactly t=2 returned {result!r} on its next poll "
           "instead of Ready(None).")


@pytest.mark.hint("sleep")
def test_sleep_wakes_exactly_at_the_deadline() -> None:
    clock = VirtualClock()

    async def root() -> tuple[float, float]:
        await stage.sleep(3)
        after_sleep = stage.now()
        await stage.sleep_until(5)
        return after_sleep, stage.now()

    try:
        first, second = run(root(), clock, "sleep")
    except stage.Deadlock as error:
        fail("sleep", f"The root awaited sleep(3): block_on raised Deadlock ({error}) though a "
                      "timer was set.")
    expect(first == 3, "sleep", f"sleep(3) from t=0 finished at t={first:g}, not t=3.")
    expect(second == 5 or clock.parks != [3, 5], "advance_by",
           f"sleep(3) from t=0 woke at t=3, then sleep_until(5) from t=3 finished at "
           f"t={second:g}, not t=5: the idle executor called clock.auto_advance(3), then "
           "clock.auto_advance(5) at t=3, and auto_advance(seconds) lets that many seconds "
           "pass. (From t=0 the first jump looked right.)")
    expect(second == 5, "sleep", f"sleep_until(5) from t=3 finished at t={second:g}, not t=5.")
    expect(clock.parks == [3, 2], "sleep",
           f"With nothing else to do, the executor should park exactly until each deadline "
           f"(timeouts 3 then 2); it parked with {clock.parks}.")


@pytest.mark.hint("sleep")
def test_elapsed_sleep_is_ready_without_parking() -> None:
    clock = VirtualClock(start=10)

    async def root() -> float:
        await stage.sleep(0)
        await stage.sleep_until(4)  # in the past
        return stage.now()

    out = run(root(), clock, "sleep")
    expect(out == 10 and clock.parks == [], "sleep",
           f"sleep(0) and sleep_until(a past deadline) must be Ready on their first poll; the "
           f"executor parked {clock.parks} and finished at t={out:g}.")


# --- the timer driver, by hand -------------------------------------------------------------

@pytest.mark.hint("timer_driver")
def test_driver_fires_a_due_timer() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    expect(len(driver) == 0 and driver.next_deadline() is None, "timer_driver",
           f"A new TimerDriver has len() {len(driver)} and next_deadline() "
           f"{driver.next_deadline()!r}; expected 0 and None.")
    spy = SpyWaker("the timer's waker")
    driver.register(2.0, spy)
    expect(len(driver) == 1, "timer_driver", f"After one register(), len(driver) is {len(driver)}.")
    expect(driver.next_deadline() == 2.0, "timer_driver",
           f"next_deadline() with one timer at 2 returned {driver.next_deadline()!r}.")
    clock.advance(1)
    fired = driver.fire_expired()
    expect(not spy.woken, "timer_driver", "fire_expired() at t=1 woke a timer due at t=2.")
    expect(fired == 0, "timer_driver",
           f"fire_expired() at t=1, with one timer due at t=2, returned {fired!r}: it returns "
           "how many timers it woke (0 here).")
    clock.advance(1)
    fired = driver.fire_expired()
    expect(spy.wake_count == 1, "timer_driver",
           f"fire_expired() at t=2 woke the timer due at t=2 {spy.wake_count} times, not once.")
    expect(fired == 1, "timer_driver",
           f"fire_expired() woke one timer and returned {fired!r}, not 1.")
    expect(len(driver) == 0 and driver.next_deadline() is None, "timer_driver",
           f"After its only timer fired, the driver has len() {len(driver)} and next_deadline() "
           f"{driver.next_deadline()!r}; expected 0 and None.")
    fired = driver.fire_expired()
    expect(spy.wake_count == 1 and fired == 0, "timer_driver",
           f"A second fire_expired() at t=2 returned {fired!r} and the timer has now been woken "
           f"{spy.wake_count} times: each timer fires once.")


@pytest.mark.hint("max_heap")
def test_driver_earliest_deadline_first() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    log: list[str] = []
    for deadline in (3.0, 1.0, 2.0):
        driver.register(deadline, OrderSpy(log, f"t={deadline:g}"))
    earliest = driver.next_deadline()
    expect(earliest == 1.0, "max_heap",
           f"Timers were registered at 3, 1 and 2; next_deadline() returned {earliest!r}, "
           "not the earliest, 1.")
    clock.advance(1)
    driver.fire_expired()
    expect(log == ["t=1"], "max_heap", f"At t=1, fire_expired() woke {log}, expected ['t=1'].")
    clock.advance(2)
    driver.fire_expired()
    expect(log == ["t=1", "t=2", "t=3"], "max_heap",
           f"At t=3, the timers woke in the order {log}; expected deadline order.")


@pytest.mark.hint("heap_tie")
def test_driver_equal_deadlines_fire_in_registration_order() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    log: list[str] = []
    names = ("first", "second", "third", "fourth", "fifth", "sixth")
    spies = [OrderSpy(log, name) for name in names]
    for spy in spies[:3]:
        no_tie("Registering a second timer with the same deadline",
               lambda spy=spy: driver.register(1.0, spy))  # type: ignore[misc]
    no_tie("Registering a timer", lambda: driver.register(0.5, OrderSpy(log, "earlier")))
    clock.advance(1)
    no_tie("fire_expired() with three timers due at the same time", driver.fire_expired)
    expect(log == ["earlier", "first", "second", "third"], "heap_tie",
           f"Three timers due at t=1 (registered first, second, third) and one at t=0.5 woke "
           f"in the order {log}; equal deadlines fire in registration order (FIFO).")
    # Objects freed just before are reused newest-first: entries created now tend to get
    # *decreasing* addresses, so an order by id() or by address is not registration order.
    scratch = stage.TimerDriver(clock)
    freed = sorted((scratch.register(9.0, SpyWaker()) for _ in range(12)), key=id)
    del scratch
    while freed:
        freed.pop(0)
    log.clear()
    for spy in spies[3:]:
        no_tie("Registering timers with the same deadline",
               lambda spy=spy: driver.register(2.0, spy))  # type: ignore[misc]
    clock.advance(1)
    no_tie("fire_expired() with three timers due at the same time", driver.fire_expired)
    expect(log == ["fourth", "fifth", "sixth"], "heap_tie",
           f"Three timers due at t=2 (registered fourth, fifth, sixth) woke in the order {log}; "
           "equal deadlines fire in registration order (FIFO), whatever else the entries hold.")


@pytest.mark.hint("dropped_sleep")
def test_driver_cancelled_timer_wakes_nobody() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    log: list[str] = []
    entries = {name: driver.register(deadline, OrderSpy(log, name))
               for deadline, name in ((1.0, "A"), (2.0, "B"), (3.0, "C"), (4.0, "D"))}
    driver.cancel(entries["A"])
    driver.cancel(entries["C"])
    what = "Timers A@1, B@2, C@3, D@4 were registered, then A and C cancelled"
    expect(driver.__len__() == 2, "dropped_sleep",
           f"{what}: len(driver) is {driver.__len__()}, not 2.")
    earliest = driver.next_deadline()
    expect(earliest == 2.0, "dropped_sleep",
           f"{what}: next_deadline() returned {earliest!r}, not 2 (the executor would park for "
           "a cancelled timer).")
    clock.advance(4)
    fired = driver.fire_expired()
    expect("A" not in log and "C" not in log, "dropped_sleep",
           f"{what}; at t=4, fire_expired() woke {log}: a cancelled timer was woken.")
    expect(log == ["B", "D"], "dropped_sleep", f"{what}; at t=4, fire_expired() woke {log}.")
    expect(fired == 2, "timer_driver",
           f"{what}; at t=4, fire_expired() woke B and D and returned {fired!r}, not 2: it "
           "returns how many timers it woke (cancelled ones do not count).")


@pytest.mark.hint("cancel_breaks_order")
def test_cancel_keeps_the_earliest_first() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    log: list[str] = []
    plan = [(1.0, "A"), (2.0, "B"), (1.0, "C"), (3.0, "D"), (2.0, "E"), (1.5, "F")]
    entries = {name: no_tie("Registering timers", lambda d=d, n=name: driver.register(  # type: ignore[misc]
        d, OrderSpy(log, n))) for d, name in plan}
    driver.cancel(entries["A"])
    earliest = driver.next_deadline()
    expect(earliest == 1.0, "cancel_breaks_order",
           f"Timers A@1, B@2, C@1, D@3, E@2, F@1.5 were registered, then A cancelled: "
           f"next_deadline() returned {earliest!r}, not 1 (C is still due at 1).")
    driver.cancel(entries["F"])
    clock.advance(3)
    no_tie("fire_expired()", driver.fire_expired)
    expect(log == ["C", "B", "E", "D"], "cancel_breaks_order",
           f"Timers A@1, B@2, C@1, D@3, E@2, F@1.5 were registered, A and F cancelled; at t=3 "
           f"the others woke in the order {log}, not C, B, E, D (deadline order).")


@pytest.mark.hint("cancel_fired")
def test_cancel_after_fire_or_twice_changes_nothing() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    early = driver.register(1.0, SpyWaker("timer at 1"))
    later_spy = SpyWaker("timer at 5")
    later = driver.register(5.0, later_spy)
    clock.advance(1)
    driver.fire_expired()  # the timer at 1 fires

    def cancel(entry: Any, what: str) -> None:
        try:
            driver.cancel(entry)
        except (ValueError, KeyError, IndexError) as error:
            fail("cancel_fired", f"cancel() of {what} raised {raised(error)}; it should do "
                                 "nothing.")

    cancel(early, "a timer that already fired")
    state = driver_state(driver)
    expect(state == (1, 5.0), "cancel_fired",
           f"The timer at 1 fired, then was cancelled (a Sleep dropped after its wake, before "
           f"its next poll): the driver now has len() {state[0]} and next_deadline() "
           f"{state[1]!r}, instead of 1 and 5 (only the timer at 5 is live).")
    cancel(later, "a live timer")
    cancel(later, "a timer cancelled once already")
    state = driver_state(driver)
    expect(state == (0, None), "cancel_fired",
           f"The timer at 5 was cancelled twice: the driver has len() {state[0]} and "
           f"next_deadline() {state[1]!r} instead of 0 and None.")
    clock.advance(5)
    driver.fire_expired()
    expect(not later_spy.woken, "cancel_fired", "A timer cancelled twice was still woken.")


@pytest.mark.hint("wake_before_state")
def test_driver_updates_its_state_before_waking() -> None:
    # The worst (and legal) timing for a waker: the task is polled inside wake(). It must
    # find the driver in its final state: the fired timer gone, the other one untouched.
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    first = stage.Sleep(driver, 1.0)
    probe = Probe(first, lambda: driver_state(driver))
    task = InlineTask(probe, name="the task sleeping until t=1")
    task.poll()
    other_spy = SpyWaker("waker of the Sleep until t=5")
    other = stage.Sleep(driver, 5.0)
    poll_once(other, other_spy)
    clock.advance(1)
    driver.fire_expired()
    task.waker.reraise()
    expect(task.waker.woken, "timer_driver",
           "A Sleep(deadline=1) was polled at t=0; at t=1, fire_expired() did not wake it.")
    expect(task.done, "wake_before_state",
           f"The timer at 1 fired and its task was polled at once, inside wake(); it got "
           f"{task.results[1:]} instead of Ready(None).")
    inside = probe.seen[-1]
    expect(inside == (1, 5.0), "wake_before_state",
           f"While the timer at 1 was being fired, its task was polled inside wake() and saw "
           f"len(driver) = {inside[0]} and next_deadline() = {inside[1]!r} (expected 1 and 5): "
           "the driver woke the task before it had finished firing that timer.")
    after = driver_state(driver)
    expect(after == (1, 5.0), "wake_before_state",
           f"After fire_expired() at t=1 (whose woken task was polled inside wake()), the "
           f"driver has len() {after[0]} and next_deadline() {after[1]!r} instead of 1 and 5.")
    clock.advance(4)
    driver.fire_expired()
    expect(other_spy.wake_count == 1, "wake_before_state",
           f"The Sleep until t=5 was woken {other_spy.wake_count} times at t=5, not once; the "
           "driver lost it while firing the timer at 1 (whose task was polled inside wake()).")

    # The same with a Timeout: polled inside wake(), it raises Elapsed and drops its sleep.
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    inner = ScriptedFuture(pending=None, name="the future under the Timeout",
                           misuse_hint="timeout")
    task = InlineTask(CatchElapsed(stage.Timeout(inner, stage.Sleep(driver, 1.0))),
                      name="the task awaiting a Timeout(deadline=1)")
    task.poll()
    poll_once(stage.Sleep(driver, 5.0), SpyWaker("waker of the Sleep until t=5"))
    clock.advance(1)
    driver.fire_expired()
    task.waker.reraise()
    expect(task.waker.woken, "timeout",
           "A Timeout(a future that never finishes, deadline=1) was polled at t=0; at t=1, "
           "fire_expired() woke nobody: the deadline never woke the Timeout's task.")
    expect(task.done and task.value == "elapsed", "timeout",
           f"A Timeout(deadline=1) woken at t=1 and polled inside wake() gave {task.results[1:]} "
           "instead of raising Elapsed.")
    after = driver_state(driver)
    expect(after == (1, 5.0), "wake_before_state",
           f"A Timeout(deadline=1) was polled inside the wake() of its timer, raised Elapsed "
           f"and dropped its sleep; then the driver has len() {after[0]} and next_deadline() "
           f"{after[1]!r}, instead of 1 and 5 (the Sleep until t=5).")


# --- one Sleep, polled by hand -------------------------------------------------------------

@pytest.mark.hint("sleep")
def test_sleep_registers_on_its_first_poll_only() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    sleep = stage.Sleep(driver, 1.0)
    expect(len(driver) == 0, "sleep",
           f"Creating a Sleep (not polled yet) left {len(driver)} timer(s) in the driver: a "
           "future does nothing before its first poll.")
    sleep.drop()  # dropped without ever being polled: nothing to clean up
    expect(sleep.deadline == 1.0, "sleep", f"Sleep(driver, 1.0).deadline is {sleep.deadline!r}.")
    sleep = stage.Sleep(driver, 1.0)
    result = poll_once(sleep)
    expect(result is Pending and len(driver) == 1, "sleep",
           f"A Sleep(deadline=1) polled at t=0 returned {result!r} and left {len(driver)} "
           "timer(s) in the driver; expected Pending and 1.")


@pytest.mark.hint("stale_waker")
def test_sleep_repoll_updates_the_waker() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    sleep = stage.Sleep(driver, 1.0)
    first, second = SpyWaker("waker of poll #1"), SpyWaker("waker of poll #2")
    poll_once(sleep, first)
    poll_once(sleep, second)  # the task moved: a new waker
    clock.advance(1)
    driver.fire_expired()
    expect(second.woken, "stale_waker",
           "A Sleep was polled with waker #1, then with waker #2; when its deadline passed, "
           f"waker #2 was not woken (waker #1 was woken {first.wake_count} times).")


@pytest.mark.hint("stale_waker")
def test_timeout_repoll_updates_the_waker() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    inner = ScriptedFuture(pending=None, name="the future under the Timeout",
                           misuse_hint="timeout")
    task = timeout_task(stage.Timeout(inner, stage.Sleep(driver, 2.0)))
    task.poll()
    task.poll()  # the Timeout moved to another task: a new waker
    clock.advance(2)
    driver.fire_expired()
    expect(task.is_woken, "stale_waker",
           "A Timeout(a future that never finishes, deadline=2) was polled with waker #1, then "
           "with waker #2; at t=2 its timer fired, but waker #2 was not woken"
           + (" (waker #1 was)." if task.stale_wakes else "."))


@pytest.mark.hint("stale_waker")
def test_sleep_until_awaited_by_another_task_wakes_it() -> None:
    clock = VirtualClock()

    async def root() -> float:
        sleep = stage.sleep_until(3)
        first = await stage.spawn(PollOnce(sleep))  # a task polls it once, then finishes
        expect(first is Pending, "sleep", f"sleep_until(3) polled at t=0 returned {first!r}.")
        await sleep  # now the root waits on it: a new waker
        return stage.now()

    try:
        end = run(root(), clock, "stale_waker")
    except stage.Deadlock:
        fail("stale_waker", "A task polled sleep_until(3) once and finished; then the root "
                            "awaited the same Sleep. The root was never woken (block_on raised "
                            "Deadlock after t=3): the Sleep's timer did not wake the waker of "
                            "its latest poll, the root's.")
    expect(end == 3, "stale_waker", f"The root's sleep_until(3) finished at t={end:g}.")


@pytest.mark.hint("duplicate_entry")
def test_sleep_repoll_does_not_register_again() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    sleep = stage.Sleep(driver, 1.0)
    wakers = [SpyWaker(f"waker of poll #{n}") for n in (1, 2, 3)]
    for waker in wakers:
        poll_once(sleep, waker)
    expect(len(driver) == 1, "duplicate_entry",
           f"One Sleep polled 3 times left {len(driver)} entries in the driver, not 1.")
    clock.advance(1)
    driver.fire_expired()
    wakes = [w.wake_count for w in wakers]
    expect(wakes == [0, 0, 1], "duplicate_entry",
           f"When the Sleep's deadline passed, its three wakers were woken {wakes} times; "
           "only the latest should be, once.")


@pytest.mark.hint("dropped_sleep")
def test_dropped_sleep_is_removed() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    sleep = stage.Sleep(driver, 1.0)
    spy = SpyWaker("the dropped Sleep's waker")
    poll_once(sleep, spy)
    sleep.drop()
    expect(len(driver) == 0 and driver.next_deadline() is None, "dropped_sleep",
           "A Sleep was polled once, then dropped; its timer is still in the driver.")
    clock.advance(2)
    driver.fire_expired()
    expect(not spy.woken, "dropped_sleep",
           "A Sleep was dropped before its deadline; when the deadline passed, its waker was "
           "still woken: that task may have finished or moved on.")


@pytest.mark.hint("ready_sleep_entry")
def test_sleep_ready_before_its_timer_fired_leaves_no_entry() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    sleep = stage.Sleep(driver, 2.0)
    first = SpyWaker("waker of the Pending poll")
    poll_once(sleep, first)
    clock.advance(3)  # the deadline passed, the driver has not run yet
    result = poll_once(sleep, SpyWaker("waker of the Ready poll"))
    expect(result == Ready(None), "sleep",
           f"A Sleep(deadline=2) polled at t=3 returned {result!r} instead of Ready(None).")
    state = driver_state(driver)
    expect(state == (0, None), "ready_sleep_entry",
           f"A Sleep(deadline=2) was polled at t=0 (Pending), then at t=3, before the driver "
           f"fired its timer (Ready). The driver still has len() {state[0]} and next_deadline() "
           f"{state[1]!r}: the finished Sleep's timer is still there.")
    driver.fire_expired()
    expect(not first.woken, "ready_sleep_entry",
           "A Sleep returned Ready, and the driver's next fire_expired() still woke the waker "
           "of its earlier Pending poll: a finished future woke its task.")


@pytest.mark.hint("cancel_fired")
def test_sleep_dropped_after_its_timer_fired_is_harmless() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    fired_sleep, other = stage.Sleep(driver, 1.0), stage.Sleep(driver, 4.0)
    fired_spy, other_spy = SpyWaker("the fired Sleep's waker"), SpyWaker("the other Sleep's waker")
    poll_once(fired_sleep, fired_spy)
    poll_once(other, other_spy)
    clock.advance(1)
    driver.fire_expired()
    expect(fired_spy.woken, "timer_driver", "The Sleep until t=1 was not woken at t=1.")
    try:
        fired_sleep.drop()  # woken, but dropped before its next poll (its task was aborted)
    except (ValueError, KeyError, IndexError) as error:
        fail("cancel_fired", f"A Sleep whose timer had fired was dropped before its next poll; "
                             f"drop() raised {raised(error)}.")
    state = driver_state(driver)
    expect(state == (1, 4.0), "cancel_fired",
           f"A Sleep whose timer had fired was dropped before its next poll; the driver now has "
           f"len() {state[0]} and next_deadline() {state[1]!r} instead of 1 and 4 (the other "
           "Sleep's timer).")
    clock.advance(3)
    driver.fire_expired()
    expect(other_spy.wake_count == 1, "cancel_fired",
           f"The other Sleep (until t=4) was woken {other_spy.wake_count} times at t=4, not once.")


@pytest.mark.hint("poll_after_ready")
def test_finished_sleep_and_timeout_refuse_another_poll() -> None:
    clock = VirtualClock(start=5)
    driver = stage.TimerDriver(clock)
    sleep = stage.Sleep(driver, 1.0)
    result = poll_once(sleep)
    expect(result == Ready(None), "not_due_at_deadline",
           f"A Sleep(deadline=1) polled at t=5 returned {result!r}.")
    expect_polled_after_completion_detected(sleep, "poll_after_ready", "A Sleep(deadline=1) at t=5")
    won = stage.Timeout(ScriptedFuture("done", misuse_hint="poll_after_ready",
                                       name="the inner future"), stage.Sleep(driver, 9.0))
    result = poll_once(won)
    expect(result == Ready("done"), "timeout",
           f"A Timeout whose inner future is Ready('done') at once returned {result!r}.")
    expect_polled_after_completion_detected(won, "poll_after_ready",
                                            "A Timeout whose inner future was Ready")
    elapsed = stage.Timeout(ScriptedFuture(pending=None, misuse_hint="poll_after_ready",
                                           name="the inner future"), stage.Sleep(driver, 1.0))
    try:
        result = poll_once(elapsed)
    except stage.Elapsed:
        pass
    else:
        fail("timeout", f"A Timeout(a future that never finishes, deadline=1) polled at t=5 "
                        f"returned {result!r} instead of raising Elapsed.")
    try:
        result = poll_once(elapsed)
    except PolledAfterCompletion:
        return
    except stage.Elapsed:
        fail("poll_after_ready", "A Timeout raised Elapsed, then, polled again, raised Elapsed "
                                 "again instead of PolledAfterCompletion.")
    fail("poll_after_ready", f"A Timeout raised Elapsed, then, polled again, answered {result!r} "
                             "instead of raising PolledAfterCompletion.")


@pytest.mark.hint("dropped_sleep")
def test_timeout_that_did_not_elapse_leaves_no_timer() -> None:
    clock = VirtualClock()

    async def quick() -> str:
        await stage.sleep(1)
        return "quick"

    async def root() -> tuple[str, float]:
        value = await stage.timeout(5, quick())  # its 5 s timer must go when quick() wins
        await stage.sleep_until(8)
        return value, stage.now()

    value, end = run(root(), clock, "dropped_sleep")
    expect((value, end) == ("quick", 8), "dropped_sleep",
           f"timeout(5, a 1 s sleep) then sleep_until(8) gave {value!r} at t={end:g}.")
    expect(clock.parks == [1, 7], "dropped_sleep",
           f"After timeout(5, ...) finished at t=1, its timer should be gone; the executor "
           f"parked {clock.parks} instead of [1, 7]"
           + (": it woke at t=5 for a dropped timer." if 4 in clock.parks else "."))


# --- parking ------------------------------------------------------------------------------

@pytest.mark.hint("park_timeout")
def test_park_until_a_timer_registered_during_the_round() -> None:
    clock = VirtualClock()
    woke: list[tuple[str, float]] = []

    async def short() -> None:
        await stage.sleep(1)  # registered by a task, after the root's 10 s timer
        woke.append(("task", stage.now()))

    async def root() -> None:
        handle = stage.spawn(short())
        await stage.sleep(10)
        woke.append(("root", stage.now()))
        await handle

    try:
        run(root(), clock, "park_timeout")
    except stage.Deadlock as error:
        fail("park_timeout", f"The root set a 10 s timer and a task set a 1 s timer in the same "
                             f"round; block_on raised Deadlock ({error}).")
    expect(woke == [("task", 1), ("root", 10)], "park_timeout",
           f"The root slept 10 s, a task spawned by it slept 1 s (both timers set in the same "
           f"round); they woke at {woke}, and the executor parked {clock.parks} instead of "
           "[1, 9].")


@pytest.mark.hint("park_timeout")
def test_park_until_a_timer_registered_a_round_after_the_last_park() -> None:
    clock = VirtualClock()
    woke: list[tuple[str, float]] = []

    async def late() -> None:
        before = stage.now()
        await yield_now("the task's yield_now()")  # still runnable: `_park(0)` runs meanwhile
        expect(stage.now() == before, "busy_auto_advance",
               f"The root slept 10 s on a virtual clock while a task yielded once (it stayed "
               f"runnable); when the task was polled again the clock read t={stage.now():g}, "
               f"not t={before:g}: it jumped ahead (jumps: {clock.parks}) while a task was "
               "still runnable.")
        await stage.sleep(1)  # registered one round after the root's 10 s timer
        woke.append(("task", stage.now()))

    async def root() -> None:
        handle = stage.spawn(late())
        await stage.sleep(10)
        woke.append(("root", stage.now()))
        await handle

    try:
        run(root(), clock, "park_timeout")
    except stage.Deadlock as error:
        fail("park_timeout", f"The root set a 10 s timer; a task yielded once, then set a 1 s "
                             f"timer; block_on raised Deadlock ({error}).")
    expect(woke == [("task", 1), ("root", 10)], "park_timeout",
           f"The root slept 10 s; a task it spawned yielded once (so `_park(0)` ran with only "
           f"the 10 s timer set), then slept 1 s. They woke at {woke}, and the executor jumped "
           f"{clock.parks} instead of [1, 9]: the park waited for a deadline read before the "
           "last round, which had set an earlier timer.")


@pytest.mark.hint("sleep")
def test_tasks_wake_in_deadline_order() -> None:
    clock = VirtualClock()
    woke: list[str] = []

    async def sleeper(name: str, seconds: float) -> None:
        await stage.sleep(seconds)
        woke.append(f"{name}@{stage.now():g}")

    async def root() -> None:
        plan = [("A", 3), ("B", 1), ("C", 2), ("D", 1)]
        handles = [stage.spawn(sleeper(name, s)) for name, s in plan]
        for handle in handles:
            await handle

    no_tie("Running four tasks, two of them sleeping 1 s", lambda: run(root(), clock, "sleep"))
    expect(woke == ["B@1", "D@1", "C@2", "A@3"], "sleep",
           f"Tasks A (3 s), B (1 s), C (2 s), D (1 s) woke as {woke}; expected deadline "
           "order, spawn order on ties: B@1, D@1, C@2, A@3.")


@pytest.mark.hint("park_negative")
def test_park_when_the_deadline_passed_meanwhile() -> None:
    # Real time moves between two reads of the clock: after the round found nothing due,
    # the deadline may pass before `_park` reads the clock again. This clock ticks `step` on
    # every read; across these sleep lengths, for any number of reads, one run has the
    # deadline pass right between the round's read and the park's.
    step = 1.0
    for k in range(1, 9):
        seconds = (k + 0.5) * step
        clock = TickingClock(step)

        async def root(seconds: float = seconds) -> tuple[float, float]:
            start = stage.now()
            await stage.sleep(seconds)
            return start, stage.now()

        try:
            start, end = run(root(), clock, "park_negative",
                             f"a root awaiting sleep({seconds:g}) on a clock that ticks {step:g} "
                             "on every read")
        except stage.Deadlock as error:
            fail("park_negative", f"A root awaited sleep({seconds:g}) on a clock that moves "
                                  f"{step:g} s on every read (as real time does); block_on "
                                  f"raised {raised(error)}, though the root's sleep had set a "
                                  "timer (the clock can pass its deadline between two reads).")
        except ValueError as error:
            if str(error) != NEGATIVE_PARK:
                raise
            fail("park_negative", f"A root awaited sleep({seconds:g}) on a clock that moves "
                                  f"{step:g} s on every read (as real time moves between two "
                                  f"reads); the executor called clock.auto_advance() with a "
                                  f"negative time, and the clock raised {raised(error)}, as "
                                  "time.sleep() does: the deadline had passed between the "
                                  "clock read that computed the wait and the jump.")
        expect(end - start >= seconds, "fired_early",
               f"On a clock that ticks on every read, sleep({seconds:g}) from t={start:g} "
               f"finished at t={end:g}: early.")


# --- timeout ------------------------------------------------------------------------------

@pytest.mark.hint("timeout")
def test_timeout_elapses_and_drops_the_inner_future() -> None:
    clock = VirtualClock()
    inner = ScriptedFuture(pending=None, name="the future under timeout",
                           misuse_hint="timeout")

    async def root() -> tuple[str, float]:
        try:
            await stage.timeout(2, inner)
        except stage.Elapsed:
            return "elapsed", stage.now()
        return "returned", stage.now()

    out = run(root(), clock, "timeout")
    expect(out == ("elapsed", 2), "timeout",
           f"timeout(2, a future that never finishes) gave {out}; expected Elapsed at t=2.")
    expect(issubclass(stage.Elapsed, TimeoutError), "timeout",
           "Elapsed should be a TimeoutError, so `except TimeoutError` catches it.")
    expect(inner.drops == 1, "timeout",
           f"When the timeout elapsed, the inner future was dropped {inner.drops} times, not once.")


@pytest.mark.hint("timeout")
def test_timeout_returns_the_value_in_time() -> None:
    clock = VirtualClock()

    async def answer() -> int:
        await stage.sleep(1)
        return 42

    async def root() -> tuple[int, float]:
        try:
            return await stage.timeout(1, answer()), stage.now()  # ready at the deadline: wins
        except stage.Elapsed:
            fail("timeout", f"timeout(1, a future ready at t=1) raised Elapsed at "
                            f"t={stage.now():g}; the inner future is polled first, so it wins "
                            "a tie with the deadline.")

    out = run(root(), clock, "timeout")
    expect(out == (42, 1), "timeout",
           f"timeout(1, a future ready at t=1) gave {out}; the inner future is polled first, "
           "so it wins a tie with the deadline.")


@pytest.mark.hint("falsy_value")
def test_timeout_passes_falsy_values_through() -> None:
    for value in FALSY:
        for pending in (0, 1):
            clock = VirtualClock()
            driver = stage.TimerDriver(clock)
            inner = ScriptedFuture(value, pending=pending, name=f"a future returning {value!r}",
                                   misuse_hint="falsy_value")
            task = timeout_task(stage.Timeout(inner, stage.Sleep(driver, 5.0)))
            result = task.poll()
            if pending:
                inner.complete()
                result = task.poll()
            when = "on its first poll" if not pending else "when polled after it was woken"
            expect(isinstance(result, Ready) and type(result.value) is type(value)
                   and result.value == value, "falsy_value",
                   f"The inner future returned Ready({value!r}) {when}; Timeout(it, deadline=5) "
                   f"returned {result!r} instead of Ready({value!r}).")
            expect(len(driver) == 0, "dropped_sleep",
                   f"Timeout returned Ready({value!r}) and left {len(driver)} timer(s) in the "
                   "driver.")

    async def zero() -> int:
        await stage.sleep(1)
        return 0

    async def root() -> Any:
        return await stage.timeout(3, zero())

    out = run(root(), VirtualClock(), "falsy_value")
    expect(out == 0 and type(out) is int, "falsy_value",
           f"block_on(a root awaiting timeout(3, a coroutine returning 0 after 1 s)) returned "
           f"{out!r}, not 0.")


class Boom(Exception):
    """The error a future raises in these tests (like a panic in Rust)."""


class RaisingFuture(Future[Any]):
    """Pending once (after keeping the waker), then raises `Boom` on its next poll."""

    def __init__(self) -> None:
        self.error = Boom("the inner future failed")
        self.polls = 0
        self.waker: Waker | None = None

    def poll(self, cx: Context) -> Poll[Any]:
        self.polls += 1
        if self.polls == 1:
            self.waker = cx.waker
            return Pending
        raise self.error


@pytest.mark.hint("timeout_error")
def test_timeout_lets_the_inner_exception_out() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    inner = RaisingFuture()
    timeout = stage.Timeout(inner, stage.Sleep(driver, 5.0))
    task = timeout_task(timeout)
    task.poll()
    try:
        result = task.poll()
    except Boom as error:
        expect(error is inner.error, "timeout_error",
               "The inner future raised Boom; the Timeout raised a different Boom.")
    except stage.Elapsed:
        fail("timeout_error", "At t=0 the inner future raised Boom; the Timeout (deadline=5) "
                              "raised Elapsed instead of letting Boom out.")
    else:
        fail("timeout_error", f"The inner future raised Boom when polled; the Timeout returned "
                              f"{result!r} instead of letting the exception out (like a panic "
                              "unwinding).")
    expect(len(driver) == 0, "dropped_sleep",
           f"The inner future raised, so the Timeout is over; {len(driver)} timer(s) are left "
           "in the driver.")

    async def failing() -> None:
        await stage.sleep(1)
        raise Boom("raised at t=1")

    async def child() -> None:
        await stage.timeout(5, failing())

    async def root() -> str:
        handle = stage.spawn(child())
        try:
            await handle
        except Boom:
            return "Boom came out"
        return "no exception"

    out = run(root(), VirtualClock(), "timeout_error")
    expect(out == "Boom came out", "timeout_error",
           "A task awaited timeout(5, a coroutine raising Boom at t=1); awaiting its JoinHandle "
           f"gave {out!r}: the exception was lost.")


@pytest.mark.hint("timeout_dropped")
def test_dropped_timeout_drops_its_future_and_its_timer() -> None:
    clock = VirtualClock()
    driver = stage.TimerDriver(clock)
    inner = ScriptedFuture(pending=None, name="the future under the Timeout",
                           misuse_hint="timeout_dropped")
    task = timeout_task(stage.Timeout(inner, stage.Sleep(driver, 5.0)))
    task.poll()
    task.drop()
    expect(inner.drops == 1, "timeout_dropped",
           f"A pending Timeout was dropped; its inner future was dropped {inner.drops} times, "
           "not once (it may hold a resource: a lock, a channel slot).")
    expect(len(driver) == 0, "dropped_sleep",
           f"A pending Timeout was dropped; {len(driver)} timer(s) are left in the driver.")
    clock.advance(5)
    driver.fire_expired()
    expect(not task.is_woken, "dropped_sleep",
           "A pending Timeout was dropped; at its deadline its task was still woken.")

    # The same through the executor: a task awaiting timeout() is aborted.
    clock = VirtualClock()
    inner = ScriptedFuture(pending=None, name="the future under timeout()",
                           misuse_hint="timeout_dropped")

    async def waiter() -> None:
        await stage.timeout(10, inner)

    async def root() -> None:
        handle = stage.spawn(waiter())
        await stage.sleep(1)
        handle.abort()
        await stage.sleep_until(20)

    run(root(), clock, "timeout_dropped")
    expect(inner.drops == 1, "timeout_dropped",
           f"A task awaiting timeout(10, ...) was aborted at t=1; the inner future was dropped "
           f"{inner.drops} times, not once.")
    expect(clock.parks == [1, 19], "dropped_sleep",
           f"A task awaiting timeout(10, ...) was aborted at t=1, then the root slept until 20; "
           f"the executor parked {clock.parks} instead of [1, 19]"
           + (": the aborted timeout's timer still fired at t=10." if 9 in clock.parks else "."))


# --- nothing can wake ---------------------------------------------------------------------

@pytest.mark.hint("no_wake_possible")
def test_nothing_can_wake_is_a_clear_error() -> None:
    clock = VirtualClock()
    never = ScriptedFuture(pending=None, name="a future nobody completes",
                           misuse_hint="no_wake_possible")

    async def root() -> None:
        await stage.sleep(1)  # a timer first: after it fired, nothing is left
        await never

    try:
        run(root(), clock, "no_wake_possible")
    except stage.Deadlock as error:
        expect(str(error), "no_wake_possible", "Deadlock was raised without a message.")
        return
    fail("no_wake_possible", "The root awaited a future nobody completes, with no task and no "
                             "timer left; block_on returned instead of raising Deadlock.")


@pytest.mark.hint("sleep")
def test_real_clock_is_never_early() -> None:
    async def root() -> tuple[float, float]:
        start = time.monotonic()
        await stage.sleep(0.02)
        return start, time.monotonic()

    start, end = run(root(), None, "sleep", "a root sleeping 20 ms on the real clock")
    expect(end - start >= 0.02, "sleep",
           f"With the real clock, sleep(0.02) finished after {end - start:.4f} s: early.")


# --- wakes from another thread, blocking threads, busy rounds -----------------------------
# The executor parks on its condition (stage 06's `_park`), with the time to the next deadline
# as the timeout: another thread's wake ends the park at once. Nothing here measures time: the
# waking thread waits until the executor's thread is parked (kit.parking), and a timer of 60 s
# that would have to run out is a hang the watchdog names.

@pytest.mark.hint("cross_thread_wake")
def test_a_blocking_thread_wakes_block_on_when_no_timer_is_set() -> None:
    executor_thread: list[int] = []

    async def root() -> Any:
        executor_thread.append(threading.get_ident())
        return await stage.spawn_blocking(when_parked(executor_thread, lambda: "from the thread"))

    try:
        out = watchdog(lambda: stage.block_on(root(), clock=VirtualClock()), seconds=LIMIT,
                       hint="cross_thread_wake",
                       message="The root awaited a spawn_blocking task, with no timer set; the "
                               "thread finished while block_on was parked and woke the root from "
                               "there, but block_on never polled it again")
    except stage.Deadlock as error:
        fail("cross_thread_wake", f"The root awaited a spawn_blocking task, with no timer set; "
                                  f"block_on raised Deadlock ({error}) while the blocking thread "
                                  "was still running. That thread will wake the root: with no "
                                  "timer, `_park` must still park (stage 06's `_park`), not give up.")
    expect(out == "from the thread", "cross_thread_wake",
           f"The blocking task returned 'from the thread'; the root got {out!r}.")


@pytest.mark.hint("cross_thread_wake")
def test_a_wake_from_another_thread_ends_a_park_on_a_long_timer() -> None:
    executor_thread: list[int] = []
    flag = ThreadFlag()

    async def root() -> str:
        executor_thread.append(threading.get_ident())
        start_when_parked(executor_thread, lambda: flag.set("set by another thread"))
        try:
            return await stage.timeout(60, flag)
        except stage.Elapsed:
            return "elapsed"

    out = watchdog(lambda: stage.block_on(root()), seconds=LIMIT, hint="cross_thread_wake",
                   message="On the real clock the root awaited a flag under timeout(60): a 60 s "
                           "timer. Another thread set the flag and woke the root while block_on "
                           "was parked, and block_on did not wake up: it is waiting for the "
                           "timer instead of on the executor's condition")
    expect(out == "set by another thread", "cross_thread_wake",
           f"Another thread set the flag the root awaited under timeout(60); the root got {out!r}.")


@pytest.mark.hint("cross_thread_wake")
def test_a_blocking_thread_ends_a_park_on_a_long_timer() -> None:
    executor_thread: list[int] = []

    async def root() -> str:
        executor_thread.append(threading.get_ident())
        timer = stage.spawn(stage.sleep(60))  # a 60 s timer is pending all along
        value = await stage.spawn_blocking(when_parked(executor_thread, lambda: "done"))
        timer.abort()
        return value

    out = watchdog(lambda: stage.block_on(root()), seconds=LIMIT, hint="cross_thread_wake",
                   message="On the real clock a task slept 60 s while the root awaited a "
                           "spawn_blocking task; the thread finished while block_on was parked "
                           "and woke the root, and block_on did not wake up before the 60 s timer")
    expect(out == "done", "cross_thread_wake", f"The blocking task returned 'done'; the root got {out!r}.")


@pytest.mark.hint("busy_auto_advance")
def test_a_paused_clock_does_not_jump_while_a_task_is_runnable() -> None:
    clock = VirtualClock()

    async def busy() -> list[float]:
        seen = []
        for n in range(3):
            seen.append(stage.now())
            await yield_now(f"the busy task's yield_now() #{n + 1}")
        seen.append(stage.now())
        return seen

    async def root() -> tuple[float, list[float]]:
        task = stage.spawn(busy())
        await stage.sleep(10)
        return stage.now(), await task

    woke, seen = run(root(), clock, "busy_auto_advance")
    expect(seen == [0, 0, 0, 0], "busy_auto_advance",
           f"The root slept 10 s on a virtual clock while a task yielded 3 times (runnable all "
           f"the while, nothing to wait for); the task read the clock at t={seen} on its 4 "
           f"polls, instead of t=0 every time: the clock jumped ahead (jumps: {clock.parks}) "
           "while a task was still runnable.")
    expect(woke == 10 and clock.parks == [10], "busy_auto_advance",
           f"Once the busy task had finished, the root's 10 s sleep should end with one jump "
           f"to t=10; it woke at t={woke:g} after the jumps {clock.parks}.")


@pytest.mark.hint("blocking_park")
def test_a_timer_fires_while_a_blocking_thread_runs() -> None:
    release = threading.Event()

    def blocked() -> bool:
        return release.wait(LIMIT * 2)  # until the root's sleep is over (bounded)

    async def root() -> tuple[bool, bool]:
        thread = stage.spawn_blocking(blocked)
        await stage.sleep(0.01)  # real clock: due long before the thread is released
        still_blocked = not release.is_set()
        release.set()
        return still_blocked, await thread

    try:
        out = watchdog(lambda: stage.block_on(root()), seconds=LIMIT, hint="blocking_park",
                       message="On the real clock the root slept 10 ms while a spawn_blocking "
                               "thread ran (the thread waits until that sleep is over, so it "
                               "cannot wake anyone first); the sleep never ended: block_on "
                               "parked waiting for a wake, not until the timer's deadline")
    finally:
        release.set()  # a failed run must not leave the thread waiting
    expect(out == (True, True), "blocking_park",
           f"The root slept 10 ms while a spawn_blocking thread waited for the end of that "
           f"sleep; the root got {out!r} (sleep over while the thread still ran, the thread's "
           "result) instead of (True, True).")


@pytest.mark.hint("blocking_auto_advance")
def test_a_paused_clock_does_not_jump_while_a_blocking_thread_runs() -> None:
    clock = VirtualClock()
    executor_thread: list[int] = []

    async def sleeper() -> float:
        await stage.sleep(10)
        return stage.now()

    async def root() -> tuple[float, float, float]:
        executor_thread.append(threading.get_ident())
        timer = stage.spawn(sleeper())
        seen_by_thread = await stage.spawn_blocking(when_parked(executor_thread, clock.now))
        after_thread = stage.now()
        return seen_by_thread, after_thread, await timer

    out = watchdog(lambda: stage.block_on(root(), clock=clock), seconds=LIMIT,
                   hint="blocking_auto_advance",
                   message="A task slept 10 s on a virtual clock while the root awaited a "
                           "spawn_blocking task; block_on never finished")
    expect(out[0] == 0 and out[1] == 0, "blocking_auto_advance",
           f"A task slept 10 s on a virtual clock while a spawn_blocking thread ran (it finished "
           f"once block_on was parked); the clock read t={out[0]:g} in that thread and "
           f"t={out[1]:g} when the root got its result, instead of 0: the clock jumped ahead while "
           "the thread, whose result the root awaited, was still running.")
    expect(out[2] == 10, "blocking_auto_advance",
           f"After the blocking thread finished, the 10 s sleeper woke at t={out[2]:g}, not 10: once "
           "no blocking thread runs, an idle executor jumps the paused clock to the next deadline.")


@pytest.mark.hint("timer_starved")
def test_a_busy_task_does_not_starve_a_timer() -> None:
    clock = VirtualClock()
    step = 0.25  # the busy task lets this much time pass on each poll
    done = [False]

    async def busy() -> int:
        polls = 0
        while not done[0] and polls < 100:
            polls += 1
            clock.advance(step)
            await ScriptedFuture(pending=1, self_wake=True, name="the busy task's yield_now()")
        return polls

    async def root() -> tuple[float, int]:
        task = stage.spawn(busy())
        await stage.sleep(1)
        woke = stage.now()
        done[0] = True
        return woke, await task

    woke, polls = run(root(), clock, "timer_starved")
    expect(woke == 1 and polls <= 6, "timer_starved",
           f"The root slept 1 s while a task was always runnable (it woke itself on every poll "
           f"and let {step:g} s pass each time); the root woke at t={woke:g}, after {polls} polls "
           f"of the busy task, instead of at t=1 after about {int(1 / step)}: the timer fired only "
           "once the busy task gave up. With tasks runnable, `_park(0)` must still fire the "
           "timers that are due.")


@pytest.mark.hint("timer_starved")
def test_a_busy_task_does_not_starve_a_timer_on_a_running_clock() -> None:
    # The real-clock path: a clock that is not paused (it cannot jump) and moves on every
    # read, as real time moves while the busy task runs (kit/running_clock.py).
    clock = RunningClock(step=0.25)
    limit = 100
    done = [False]

    async def busy() -> int:
        polls = 0
        while not done[0] and polls < limit:
            polls += 1
            await yield_now("the busy task's yield_now()")
        return polls

    async def root() -> int:
        task = stage.spawn(busy())
        await stage.sleep(1)
        done[0] = True
        return await task

    polls = run(root(), clock, "timer_starved",
                "a root sleeping 1 s beside a busy task, on a clock that is not paused")
    expect(polls < limit, "timer_starved",
           f"On a clock that is not paused (like the real one) and moves {clock.step:g} s on "
           f"every read, the root slept 1 s while a task was always runnable (it woke itself on "
           f"every poll); the root's sleep ended only after the busy task gave up ({polls} "
           f"polls, {clock.reads} reads of the clock): on this clock's path, the "
           "timers did not fire while tasks were runnable. `_park(0)` must fire the timers "
           "that are due, whatever the clock.")


# --- random timers against a sorted list ----------------------------------------------------

class ModelWaker(Waker):
    """The waker of one poll of one sleeper in the model; an inline sleeper re-polls inside wake()."""

    __slots__ = ("index", "machine", "name")

    def __init__(self, machine: TimerModel, index: int, name: str) -> None:
        super().__init__()
        self.machine, self.index, self.name = machine, index, name

    def wake(self) -> None:
        self.machine.on_wake(self)


@seed(7007)
class TimerModel(RuleBasedStateMachine):
    """Sleeps are created, polled, dropped, and the clock advances at random; the model is a
    sorted list of (deadline, registration number). Every step is logged in the attendee's
    terms, and a failure shows the (shrunk) list of steps.

    A sleeper is one Sleep and the task that awaits it: `waiting` (Pending, timer set),
    `fired` (woken, not polled again yet), `done` (Ready) or `dropped`. An inline sleeper's
    task looks at the driver and is polled inside wake(), the worst legal timing.
    """

    def __init__(self) -> None:
        super().__init__()
        self.clock = VirtualClock()
        self.driver = stage.TimerDriver(self.clock)
        self.sleeps: list[Any] = []
        self.state: list[str] = []
        self.inline: list[bool] = []
        self.latest: list[str] = []  # name of the latest waker of each sleeper
        self.model: list[tuple[float, int, int]] = []  # (deadline, registration no., sleeper)
        self.registrations = 0
        self.woken: list[str] = []
        self.steps: list[str] = []
        self.firing = False
        self.inline_woke = False
        self.live_at_fire = 0
        self.last = ""  # what the last step did, to explain a wrong count

    # -- bookkeeping --
    def fail(self, hint: str, problem: str) -> NoReturn:
        steps = "\n".join(f"  {i + 1}. {step}" for i, step in enumerate(self.steps))
        fail(hint, f"After these steps (time starts at t=0):\n{steps}\n{problem}")

    def attempt(self, what: str, action: Callable[[], R]) -> R:
        try:
            return action()
        except (TodoError, HintedFailure):
            raise
        except TypeError as error:
            if is_tie_error(error):
                self.fail("heap_tie", f"{what} raised {raised(error)}.")
            raise

    def count(self) -> int:
        """len(driver), read without len(): a negative count is shown, not a ValueError."""
        return self.attempt("len(driver)", self.driver.__len__)  # type: ignore[no-any-return]

    def describe(self, i: int) -> str:
        return f"sleep #{i} (deadline {self.sleeps[i].deadline:g})"

    def poll(self, i: int) -> None:
        """Poll sleeper `i` with a fresh waker, and check the answer against the clock."""
        name = f"#{i}.{len(self.steps)}"
        sleep = self.sleeps[i]
        now = self.clock.now()
        result = self.attempt(f"Polling {self.describe(i)}",
                              lambda: poll_once(sleep, ModelWaker(self, i, name)))
        self.steps.append(f"{self.describe(i)} polled at t={now:g}"
                          f"{' inside wake()' if self.firing else ''}: {result!r}")
        if result is not Pending and now < sleep.deadline:
            self.fail("fired_early", f"{self.describe(i)} was Ready at t={now:g}: early.")
        if result is Pending and now >= sleep.deadline:
            self.fail("not_due_at_deadline", f"{self.describe(i)} was still Pending at "
                                             f"t={now:g}, at or after its deadline.")
        if result is Pending:
            if self.state[i] == "new":
                self.model.append((sleep.deadline, self.registrations, i))
                self.registrations += 1
            self.state[i] = "waiting"
            self.latest[i] = name
            self.last = "poll_pending"
        else:
            self.last = "ready_unfired" if any(m[2] == i for m in self.model) else "ready"
            self.state[i] = "done"
            self.model[:] = [m for m in self.model if m[2] != i]
            self.poll_finished(i)

    def poll_finished(self, i: int) -> None:
        """A finished Sleep polled again must raise PolledAfterCompletion (and change nothing)."""
        try:
            result = poll_once(self.sleeps[i], SpyWaker())
        except PolledAfterCompletion:
            return
        self.fail("poll_after_ready", f"{self.describe(i)} had returned Ready; polled again, it "
                                      f"answered {result!r} instead of raising "
                                      "PolledAfterCompletion.")

    def on_wake(self, waker: ModelWaker) -> None:
        self.woken.append(waker.name)
        i = waker.index
        if not (self.firing and self.inline[i] and self.state[i] == "waiting"):
            return
        # The task looks at the driver, then runs at once, inside wake(). The timers fired
        # so far (this one included) must be gone; a driver may take out all due timers
        # before the first wake, so fewer is fine.
        self.inline_woke = True
        before = self.count()
        if before > self.live_at_fire - len(self.woken):
            self.steps.append(f"inside the wake of {self.describe(i)}: len(driver) is {before}")
            self.fail("wake_before_state", f"While firing {self.describe(i)}, the driver woke it "
                                           f"with len(driver) = {before}: the timer being fired "
                                           "still counted as live.")
        self.attempt("next_deadline() inside wake()", self.driver.next_deadline)
        self.state[i] = "fired"
        self.poll(i)  # Ready: the Sleep's timer has fired; the driver must not change
        after = self.count()
        if after != before:
            self.fail("cancel_fired", f"{self.describe(i)}, polled inside wake() (its timer had "
                                      f"fired), returned Ready and len(driver) went from {before} "
                                      f"to {after}: finishing a fired Sleep must change nothing.")

    def pick(self, index: int, states: tuple[str, ...]) -> int | None:
        chosen = [i for i, s in enumerate(self.state) if s in states]
        return chosen[index % len(chosen)] if chosen else None

    # -- rules --
    @rule(delay=st.integers(1, 4), inline=st.booleans())
    def new_sleep(self, delay: int, inline: bool) -> None:
        i = len(self.sleeps)
        deadline = self.clock.now() + delay
        self.sleeps.append(stage.Sleep(self.driver, deadline))
        self.state.append("new")
        self.inline.append(inline)
        self.latest.append("")
        self.steps.append(f"sleep #{i} = Sleep(deadline={deadline:g}) created"
                          + (" (its task is polled inside wake())" if inline else ""))
        self.poll(i)

    @rule(delays=st.lists(st.integers(1, 4), min_size=2, max_size=4))
    def new_sleeps(self, delays: list[int]) -> None:
        for delay in delays:  # several timers at once: a heap with some shape
            self.new_sleep(delay, inline=False)

    @rule(index=st.integers(0, 7))
    def repoll(self, index: int) -> None:
        i = self.pick(index, ("waiting", "fired"))
        if i is not None:
            self.poll(i)

    @rule(index=st.integers(0, 7), extra=st.integers(0, 1))
    def poll_after_the_deadline_before_the_driver(self, index: int, extra: int) -> None:
        i = self.pick(index, ("waiting",))
        if i is None:
            return
        target = max(self.clock.now(), self.sleeps[i].deadline) + extra
        self.clock.advance(target - self.clock.now())
        self.steps.append(f"time passes to t={self.clock.now():g} (the driver does not run)")
        self.poll(i)

    @rule(index=st.integers(0, 7))
    def drop(self, index: int) -> None:
        i = self.pick(index, ("waiting", "fired"))
        if i is None:
            return
        was = self.state[i]
        self.attempt(f"Dropping {self.describe(i)}", self.sleeps[i].drop)
        self.steps.append(f"{self.describe(i)} dropped" + (" after it was woken" if was == "fired"
                                                             else ""))
        self.state[i] = "dropped"
        self.model[:] = [m for m in self.model if m[2] != i]
        self.last = "drop_fired" if was == "fired" else "drop"

    @rule(seconds=st.integers(0, 4))
    def fire(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self.fire_now()

    @precondition(lambda self: bool(self.model))
    @rule()
    def fire_at_the_next_deadline(self) -> None:
        deadline = min(m[0] for m in self.model)
        self.clock.advance(deadline - self.clock.now())
        if self.clock.now() != deadline:  # float rounding: set the clock by a second step
            self.clock.advance(deadline - self.clock.now())
        self.fire_now()

    @precondition(lambda self: bool(self.model))
    @rule()
    def fire_just_before_the_next_deadline(self) -> None:
        deadline, _, i = min(self.model)
        target = math.nextafter(deadline, -math.inf)
        if target > self.clock.now():
            self.clock.advance(target - self.clock.now())
        self.fire_now()
        if self.state[i] == "waiting":
            self.poll(i)  # a spurious poll, just before the deadline

    def fire_now(self) -> None:
        now = self.clock.now()
        due = sorted(m for m in self.model if m[0] <= now)
        expected = [self.latest[i] for _, _, i in due]
        self.woken.clear()
        self.steps.append(f"fire_expired() at t={now:g}")
        line = len(self.steps) - 1
        self.firing, self.inline_woke = True, False
        self.live_at_fire = len(self.model)
        try:
            fired = self.attempt("fire_expired()", self.driver.fire_expired)
        except (IndexError, KeyError, ValueError) as error:
            if not self.inline_woke:
                raise
            self.fail("wake_before_state", f"fire_expired() raised {raised(error)} after a task "
                                           "it woke had been polled inside wake().")
        finally:
            self.firing = False
        woken = list(self.woken)
        got = [name.split(".")[0] for name in woken]
        self.steps[line] += f" woke {', '.join(got) or 'nothing'}"
        self.last = "fire_inline" if self.inline_woke else "fire"
        if woken != expected:
            self.explain_wrong_wakes(woken, due, now)
        if fired != len(due):
            self.fail("timer_driver", f"fire_expired() woke {len(due)} timer(s) and returned "
                                      f"{fired!r}.")
        for _, _, i in due:
            if self.state[i] == "waiting":
                self.state[i] = "fired"
        self.model[:] = [m for m in self.model if m[0] > now]

    def explain_wrong_wakes(self, woken: list[str], due: list[tuple[float, int, int]],
                            now: float) -> NoReturn:
        sleepers = [int(name.split(".")[0][1:]) for name in woken]
        want = [f"#{i}" for _, _, i in due]
        got = [f"#{i}" for i in sleepers]
        for i in sleepers:
            if self.state[i] == "dropped":
                self.fail("dropped_sleep", f"fire_expired() woke dropped sleep #{i}.")
        for i in sleepers:
            if self.sleeps[i].deadline > now:
                self.fail("fired_early", f"fire_expired() at t={now:g} woke sleep #{i} before "
                                         "its deadline.")
        for i in sleepers:
            if self.state[i] == "done" and not any(m[2] == i for m in self.model):
                self.fail("ready_sleep_entry", f"fire_expired() woke sleep #{i}, which had "
                                               "already returned Ready.")
        if len(sleepers) > len(set(sleepers)):
            self.fail("duplicate_entry", f"fire_expired() woke the same sleep twice: {got}.")
        for name, i in zip(woken, sleepers, strict=True):
            if name != self.latest[i] and self.state[i] not in ("done", "fired"):
                self.fail("stale_waker", f"fire_expired() woke an old waker of sleep #{i}; "
                                         "only the latest poll's waker counts.")
        if sorted(got) == sorted(want):
            by_deadline = [self.sleeps[i].deadline for i in sleepers]
            if by_deadline != sorted(by_deadline):
                self.fail("max_heap", f"fire_expired() woke {got}, expected {want} (deadline "
                                      "order).")
            self.fail("heap_tie", f"fire_expired() woke {got}, expected {want}: equal "
                                  "deadlines fire in registration order.")
        missing = [i for _, _, i in due if i not in sleepers]
        names = ", ".join(f"#{i}" for i in missing)
        if missing and all(self.sleeps[i].deadline == now for i in missing):
            self.fail("not_due_at_deadline", f"fire_expired() at t={now:g} did not wake {names}, "
                                             "due at exactly that time.")
        self.fail("timer_driver", f"fire_expired() at t={now:g} woke {got or 'nothing'}, "
                                  f"expected {want}" + (f" ({names} due and not woken)."
                                                        if missing else "."))

    @invariant()
    def driver_matches_the_sorted_list(self) -> None:
        culprit = {"ready_unfired": "ready_sleep_entry", "drop": "dropped_sleep",
                   "drop_fired": "cancel_fired", "fire_inline": "wake_before_state"}
        count = self.count()
        if count != len(self.model):
            hint = culprit.get(self.last, "timer_driver")
            if self.last == "poll_pending" and count > len(self.model):
                hint = "duplicate_entry"
            self.fail(hint, f"len(driver) is {count}; {len(self.model)} timer(s) are live.")
        earliest = self.attempt("next_deadline()", self.driver.next_deadline)
        want = min((m[0] for m in self.model), default=None)
        if earliest != want:
            hint = culprit.get(self.last, "timer_driver")
            gone = [i for i, sleep in enumerate(self.sleeps) if sleep.deadline == earliest
                    and not any(m[2] == i for m in self.model)]  # its timer should be gone
            if gone and all(self.state[i] == "dropped" for i in gone):
                hint = "dropped_sleep"
            elif gone and all(self.state[i] == "done" for i in gone):
                hint = "ready_sleep_entry"
            if want is not None and earliest is not None and earliest > want \
                    and any(m[0] == earliest for m in self.model):
                # a live timer, but not the earliest: the order is broken
                hint = ("cancel_breaks_order" if self.last in ("drop", "drop_fired", "ready_unfired")
                        else "wake_before_state" if self.last == "fire_inline" else "max_heap")
            self.fail(hint, f"next_deadline() returned {earliest!r}; the earliest live timer is "
                            f"{want!r}.")


TimerModel.TestCase.settings = settings(
    max_examples=100, stateful_step_count=25, report_multiple_bugs=False)


@pytest.mark.hint("timer_driver")
def test_random_timers_against_a_sorted_list() -> None:
    TimerModel.TestCase("runTest").runTest()


# --- capstone -----------------------------------------------------------------------------

@pytest.mark.hint("capstone")
def test_capstone_pipeline() -> None:
    capstone = load_stage("07_timers", "capstone")
    clock = VirtualClock()
    out = watchdog(lambda: capstone.main(clock), seconds=LIMIT, hint="capstone",
                   message="capstone.main() never returned")
    expected = [(1.0, "got a"), (2.0, "got b"), (3.0, "got c"), (8.0, "timeout"),
                (13.0, "timeout"), (14.0, "got d"), (14.0, "closed"), (14.0, "sent 4")]
    expect(out == expected, "capstone",
           f"capstone.main() with a virtual clock returned\n  {out}\nexpected\n  {expected}")
