"""Stage 05: a pollster executor.

Order matters: basic behaviour first, then one test per mistake, so the first failure
names the mistake (see tests/mutants/m05_pollster.py).

Deterministic thread tests: block_on's `Signal` is swapped for a subclass whose `cond` is a
`SpyCondition`, so a helper thread knows when block_on's thread *is* parked and wakes it
only then. The watchdog's limit only turns a hang into a failure.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from kit import HintedFailure, ScriptedFuture, expect, fail, load_stage
from kit.exception_chain import made_from
from kit.kept_thread import KeptThread
from kit.threads import LIMIT, RemoteFuture, SpyCondition, start_thread
from stdtask import Context, Future, Pending, Poll, Ready

stage = load_stage("05_pollster")


def run(body: Any, hint: str, what: str, signals: list[Any] | None = None,
        seconds: float = LIMIT) -> Any:
    """Run `body()` (which calls block_on) with a hang catcher.

    With `signals` (the fixture below), a hang is first checked against where block_on's
    thread sleeps: a thread that never waited on its Signal's `cond` is told so, before any
    message that assumes it did (such as "the wake was lost").
    """
    thread, outcome = start_thread(body, "block-on")
    thread.join(seconds)
    if thread.is_alive():
        if signals is not None:
            check_parked_on_hang(signals, what)
        fail(hint, f"{what}: block_on did not return (still running after {seconds:g} s)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def check_parked_on_hang(signals: list[Any], what: str) -> None:
    """block_on hangs: if its thread never slept in its Signal's `cond`, say that first."""
    expect(bool(signals), "park_and_wake",
           f"{what}: block_on did not return, and it never created a `Signal()`: block_on "
           "must park on a Signal and give that Signal to the future as its waker.")
    expect(len(signals) == 1, "park_and_wake",
           f"{what}: block_on did not return, and it created {len(signals)} Signals in one "
           "call. One Signal per call, the future's waker for every poll: a wake of a Signal "
           "the future got earlier never reaches the one the thread sleeps on now.")
    expect(any(signal.spy.parks for signal in signals), "park_and_wake",
           f"{what}: block_on did not return, and its thread never waited in its Signal's "
           "`cond.wait()`: it is sleeping or spinning somewhere else, where a wake() of the "
           "Signal does not reach it. Signal.wait must sleep in `self.cond.wait()`.")


@pytest.fixture
def signals(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every Signal block_on creates from now on, each with a SpyCondition as its `cond`.

    block_on looks `Signal` up in its module when it runs, so it builds these instead.
    """
    created: list[Any] = []

    class SpiedSignal(stage.Signal):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            super().__init__()
            self.cond = self.spy = SpyCondition()  # `spy`: even if block_on replaces `cond`
            created.append(self)

    monkeypatch.setattr(stage, "Signal", SpiedSignal)
    yield created
    for signal in created:
        signal.spy.close()


def wake_when_parked(future: RemoteFuture[Any], signals: list[Any], *, rounds: int = 1,
                     spurious_first: bool = False) -> dict[str, Any]:
    """Helper thread: each round, wait until block_on's thread is parked, then wake `future`.

    Returns the helper's report: `never_parked` is set if block_on did not park in time.
    """
    report: dict[str, Any] = {}

    def helper() -> None:
        if not future.first_poll.wait(LIMIT):
            return
        if not signals:
            report["no_signal"] = True
            return
        cond = signals[-1].spy
        parks = 0
        if spurious_first:
            parks += 1
            if not cond.wait_for_parks(parks):
                report["never_parked"] = True
                return
            cond.spurious_wakeup()
        for _ in range(rounds):
            parks += 1
            if not cond.wait_for_parks(parks):
                report["never_parked"] = parks
                return
            future.wake_up()

    report["thread"] = threading.Thread(target=helper, name="wake-when-parked", daemon=True)
    report["thread"].start()
    return report


def check_parked(report: dict[str, Any]) -> None:
    expect("no_signal" not in report, "park_and_wake",
           "block_on polled the future without creating a `Signal()` first: block_on must "
           "park on a Signal and give that Signal to the future as its waker.")
    expect("never_parked" not in report, "park_and_wake",
           "block_on's future was Pending, but block_on's thread never waited on its "
           "Signal's `cond` (Signal.wait must sleep in `self.cond.wait()`).")


class Raising(Future[None]):
    """Raises `error` from its poll after `pending` Pending polls; wakes itself on every poll."""

    def __init__(self, pending: int = 0) -> None:
        self.error = ValueError("boom from poll")
        self.pending = pending
        self.polls = 0

    def poll(self, cx: Context) -> Poll[None]:
        self.polls += 1
        cx.waker.wake()  # like yield_now: poll me again (even on the poll that raises)
        if self.polls > self.pending:
            raise self.error
        return Pending


# --- block_on on futures that need no wake -------------------------------------------


@pytest.mark.hint("block_on_ready")
@pytest.mark.parametrize("value", [42, "text", None, 0])
def test_ready_future_gives_its_value(value: object) -> None:
    future = ScriptedFuture(value, name="a ready future")
    got = run(lambda: stage.block_on(future), "block_on_ready", "a future that is Ready at once")
    expect(got == value and type(got) is type(value), "block_on_ready",
           f"block_on(a future Ready({value!r}) on its first poll) returned {got!r}.")
    expect(future.polls == 1, "block_on_ready",
           f"block_on polled a future that was Ready at once {future.polls} times.")


@pytest.mark.hint("block_on_ready")
def test_accepts_a_coroutine() -> None:
    async def body() -> str:
        first = await ScriptedFuture("as", name="an awaited ready future")
        return first + "ync"

    got = run(lambda: stage.block_on(body()), "block_on_ready", "block_on(coroutine)")
    expect(got == "async", "block_on_ready",
           f"block_on(an async def coroutine returning 'async') returned {got!r}.")


def expect_raised_unchanged(body: Any, raising: Raising, what: str) -> None:
    """`body()` must raise `raising.error` itself: same object, same type, same message."""
    try:
        got = run(body, "panic", what)
    except HintedFailure:
        raise
    except BaseException as error:
        if error is not raising.error and not made_from(error, raising.error):
            raise  # not this symptom (a NameError in block_on, say): shown as itself
        expect(error is raising.error, "panic",
               f"{what}: the future's poll raised ValueError('boom from poll'), but block_on "
               f"raised {type(error).__name__}({error}) instead of that exception unchanged.")
        return
    fail("panic", f"{what}: the future's poll raised ValueError('boom from poll'), but "
                  f"block_on returned {got!r} instead of letting it propagate.")


@pytest.mark.hint("panic")
def test_exception_from_poll_propagates() -> None:
    raising = Raising()
    expect_raised_unchanged(lambda: stage.block_on(raising), raising,
                            "block_on(a future whose first poll raises)")


@pytest.mark.hint("guard_reset")
def test_block_on_works_again_after_an_exception() -> None:
    def body() -> str:
        try:
            stage.block_on(Raising())
        except ValueError:
            pass
        return stage.block_on(ScriptedFuture("again", name="a ready future"))

    try:
        got = run(body, "guard_reset", "block_on after an exception")
    except stage.NestedBlockOn as error:
        fail("guard_reset",
             "block_on(a future whose poll raised) propagated the error, but the next "
             f"block_on on the same thread raised NestedBlockOn ({error}) though nothing was "
             "running any more.")
    expect(got == "again", "guard_reset",
           f"After an exception, the next block_on on that thread returned {got!r}.")


# --- parking and waking ---------------------------------------------------------------


@pytest.mark.hint("park_and_wake")
def test_parks_and_resumes_on_wake_from_another_thread(signals: list[Any]) -> None:
    future = RemoteFuture("done", rounds=3, name="a future woken from another thread",
                          unwoken_message="block_on polled the future again although nothing "
                          "had woken it since its previous poll: either block_on did not sleep "
                          "between the polls, or Signal.wait returned for a wake that had "
                          "already been consumed.")
    report = wake_when_parked(future, signals, rounds=3)
    got = run(lambda: stage.block_on(future), "park_and_wake",
              "a future woken 3 times from another thread", signals)
    check_parked(report)
    expect(all(w is signals[0] for w in future.wakers), "park_and_wake",
           "The future was not given block_on's Signal as its waker (cx.waker should be the "
           "Signal itself, so that wake() records the wake where block_on parks).")
    expect(got == "done", "park_and_wake", f"block_on returned {got!r} instead of 'done'.")
    expect(future.polls == 4, "park_and_wake",
           f"A future woken 3 times was polled {future.polls} times (expected 4).")


@pytest.mark.hint("park_and_wake")
def test_coroutine_awaiting_a_future_woken_elsewhere(signals: list[Any]) -> None:
    future = RemoteFuture(20, name="an awaited future woken from another thread")

    async def body() -> int:
        return await future + 1

    report = wake_when_parked(future, signals)
    got = run(lambda: stage.block_on(body()), "park_and_wake", "a coroutine awaiting it",
              signals)
    check_parked(report)
    expect(got == 21, "park_and_wake", f"block_on(coroutine) returned {got!r} instead of 21.")


@pytest.mark.hint("busy_loop")
def test_waits_for_a_wake_before_polling_again(signals: list[Any]) -> None:
    future = RemoteFuture(None, name="a Pending future",
                          unwoken_message="block_on polled the Pending future a second time "
                          "before anything woke it: it keeps polling instead of sleeping.")
    report = wake_when_parked(future, signals)
    run(lambda: stage.block_on(future), "busy_loop", "a future woken once", signals)
    check_parked(report)
    expect(future.polls == 2, "busy_loop",
           f"A future woken once was polled {future.polls} times (expected 2).")


# --- the Signal: lost wakeups, spurious wakeups ---------------------------------------


@pytest.mark.hint("lost_wakeup")
def test_wake_during_poll_is_remembered(signals: list[Any]) -> None:
    future = RemoteFuture("yielded", name="a future that wakes itself during poll",
                          wake_during_poll=True)
    got = run(lambda: stage.block_on(future), "lost_wakeup",
              "A future woke its waker during poll and returned Pending (like yield_now); "
              "block_on's thread then slept in its Signal's cond.wait() as if that wake had "
              "never happened", signals)
    expect(got == "yielded" and future.polls == 2, "lost_wakeup",
           f"A future that woke itself once returned {got!r} after {future.polls} polls.")


@pytest.mark.hint("lost_wakeup")
def test_wake_just_before_park_is_remembered(signals: list[Any]) -> None:
    future = RemoteFuture("caught", name="a future woken just before the park")
    waker_thread: list[threading.Thread] = []
    blocked: list[bool] = []

    def on_pending(cx: Context) -> None:
        # Right after this Pending, before block_on's thread takes its Signal's lock to
        # park, another thread wakes the future (and finishes waking it).
        if not signals:
            return

        def wake_from_elsewhere() -> None:
            helper = threading.Thread(target=future.wake_up, name="late-waker", daemon=True)
            waker_thread.append(helper)
            helper.start()
            helper.join(LIMIT)
            if helper.is_alive():  # its wake() waits for something this thread holds
                blocked.append(True)

        signals[-1].spy.before_next_lock(wake_from_elsewhere)

    future.on_pending = on_pending
    got = run(lambda: stage.block_on(future), "lost_wakeup",
              "Another thread woke the future after poll returned Pending, just before "
              "block_on's thread took its Signal's lock to park; block_on's thread then slept "
              "in cond.wait() as if that wake had never happened", signals, seconds=2 * LIMIT)
    expect(not blocked, "wake_under_lock",
           "After the future returned Pending, another thread called its waker just before "
           f"block_on's thread took its Signal's lock; that wake() had not returned {LIMIT:g} s "
           "later, while block_on's thread was not waiting: block_on's thread was holding "
           "something wake() needs (the Signal's lock?) outside of cond.wait().")
    expect(bool(waker_thread), "park_and_wake",
           "block_on's thread never took its Signal's `cond` lock after a Pending poll "
           "(Signal.wait must use `with self.cond:`).")
    expect(got == "caught" and future.polls == 2, "lost_wakeup",
           f"After one wake, block_on returned {got!r} after {future.polls} polls.")


@pytest.mark.hint("spurious_wakeup")
def test_spurious_wakeup_is_not_a_wake(signals: list[Any]) -> None:
    future = RemoteFuture("real", name="a Pending future", unwoken_hint="spurious_wakeup",
                          unwoken_message="The parked thread was notified without any wake "
                          "(a spurious condvar wakeup) and block_on polled the future again as "
                          "if it had been woken.")
    report = wake_when_parked(future, signals, spurious_first=True)
    got = run(lambda: stage.block_on(future), "spurious_wakeup",
              "a future with a spurious wakeup, then a real wake")
    check_parked(report)
    expect(got == "real" and future.polls == 2, "spurious_wakeup",
           f"After a spurious wakeup and one real wake, block_on returned {got!r} after "
           f"{future.polls} polls (expected 'real' after 2).")


@pytest.mark.hint("lost_wakeup")
def test_signal_wait_after_wake_returns_then_sleeps_again() -> None:
    signal = stage.Signal()
    signal.cond = spy = SpyCondition()  # the same Condition, watched
    try:
        signal.wake()  # nobody waits yet: the wake must be remembered
        run(signal.wait, "lost_wakeup",
            "Signal.wake() was called, then Signal.wait() on the same Signal: wait() must "
            "return at once for the wake recorded before it")
        thread, outcome = start_thread(signal.wait, "second-wait")
        parked = spy.wait_for_parks(1)
        if not parked:
            thread.join(LIMIT)
            expect(thread.is_alive(), "busy_loop",
                   "One wake(), one wait() (returned at once, right), then a second wait() with "
                   "no new wake: it returned without sleeping. A wait() must consume the wake it "
                   "returns for, so the next one sleeps.")
            fail("park_and_wake",
                 "A second Signal.wait() with no new wake never returned, but it never slept in "
                 "`self.cond.wait()` either: it waits somewhere a wake() does not reach.")
        signal.wake()  # release the second wait
        thread.join(LIMIT)
        expect(not thread.is_alive() and "error" not in outcome, "lost_wakeup",
               "A Signal.wait() sleeping in cond.wait() was woken by wake() from another "
               f"thread and did not return ({outcome or 'still waiting'}).")
    finally:
        spy.close()


# --- exceptions after Pending polls (the wakes of those polls must not be lost) ------


@pytest.mark.hint("panic")
def test_exception_from_a_later_poll_propagates() -> None:
    raising = Raising(pending=2)
    expect_raised_unchanged(lambda: stage.block_on(raising), raising,
                            "block_on(a future that yields twice, then raises)")
    expect(raising.polls == 3, "panic",
           f"The future raised on its 3rd poll; block_on polled it {raising.polls} times.")


@pytest.mark.hint("panic")
def test_exception_from_a_coroutine_propagates() -> None:
    raising = Raising(pending=1)

    async def body() -> None:
        await raising

    expect_raised_unchanged(lambda: stage.block_on(body()), raising,
                            "block_on(a coroutine awaiting a future that yields, then raises)")


# --- locks: nothing held across a poll -----------------------------------------------


class WokenFromAThreadDuringPoll(Future[str]):
    """Pending `rounds` times; in each of those polls another thread wakes the waker, and
    the poll waits (at most LIMIT) for that wake() to return, as a future may: it can wait
    for a thread that is about to wake it. Then `Ready("done")`."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self.polls = 0

    def poll(self, cx: Context) -> Poll[str]:
        self.polls += 1
        if self.polls > self.rounds:
            return Ready("done")
        thread, outcome = start_thread(cx.waker.wake, "wakes-during-poll")
        thread.join(LIMIT)
        if thread.is_alive():
            fail("wake_under_lock",
                 f"During poll #{self.polls}, another thread called the future's waker; that "
                 f"wake() had not returned {LIMIT:g} s later, while the poll was still running: "
                 "it waits for something block_on's thread holds during the poll (the "
                 "Signal's lock?). A future whose poll waits for that thread, or takes a lock "
                 "the waking thread holds, deadlocks.")
        if "error" in outcome:
            fail("late_wake", f"During poll #{self.polls}, waking the future's waker from "
                              f"another thread raised {outcome['error']!r}.")
        return Pending


@pytest.mark.hint("wake_under_lock")
def test_wake_from_another_thread_during_the_poll_does_not_wait_for_it() -> None:
    future = WokenFromAThreadDuringPoll(rounds=2)
    got = run(lambda: stage.block_on(future), "wake_under_lock",
              "a future woken from another thread during each of its 2 Pending polls",
              seconds=2 * LIMIT)
    expect(got == "done" and future.polls == 3, "wake_under_lock",
           f"A future woken during each of its 2 Pending polls returned {got!r} after "
           f"{future.polls} polls (expected 'done' after 3).")


# --- after block_on returns -----------------------------------------------------------


@pytest.mark.hint("late_wake")
def test_late_wake_is_harmless(signals: list[Any]) -> None:
    first = RemoteFuture("first", name="the first future")
    second = RemoteFuture("second", name="the second future", unwoken_hint="late_wake",
                          unwoken_message="A waker from an earlier block_on call was woken "
                          "after that call returned; the next block_on on the same thread "
                          "then polled its own future again without any wake of its own.")

    def body() -> list[str]:
        report = wake_when_parked(first, signals)
        stage.block_on(first)
        report["thread"].join(LIMIT)
        old = first.waker
        expect(old is not None, "park_and_wake", "block_on never gave its future a waker.")
        errors: list[str] = []
        try:
            old.wake()
        except Exception as error:
            errors.append(f"on the same thread: {error!r}")
        thread, outcome = start_thread(old.wake, "late-waker")
        thread.join(LIMIT)
        if "error" in outcome:
            errors.append(f"from another thread: {outcome['error']!r}")
        if errors:
            fail("late_wake", "Waking the waker of a block_on call that had already returned "
                              "raised " + "; ".join(errors) + ".")
        wake_when_parked(second, signals)
        return [stage.block_on(second)]

    got = run(body, "late_wake", "block_on after a late wake of an earlier call's waker")
    expect(got == ["second"] and second.polls == 2, "late_wake",
           f"After a late wake, the next block_on returned {got!r} after {second.polls} polls.")


@pytest.mark.hint("waker_leak")
def test_kept_waker_does_not_keep_the_future_alive() -> None:
    kept: list[Any] = []  # like a reactor or timer that still holds the waker

    def body() -> tuple[weakref.ref[Any], weakref.ref[Any]]:
        future = RemoteFuture(bytearray(1024), name="a future", wake_during_poll=True)
        stage.block_on(future)
        kept.append(future.waker)
        return weakref.ref(future), weakref.ref(future.waker)

    # block_on runs on a thread that stays alive during the checks: whatever block_on left
    # in that thread's thread-local state is still there, as on a real caller's thread.
    with KeptThread("block-on-caller") as caller:
        future_ref, waker_ref = caller.call(body, hint="waker_leak",
                                            what="block_on(a future that wakes itself once)")
        gc.collect()
        expect(future_ref() is None, "waker_leak",
               "block_on returned and the future was dropped, but it is still alive (the "
               "thread that called block_on is still running, and a waker of that call is "
               "still held): something block_on left behind keeps the finished future alive.")
        kept.clear()
        gc.collect()
        expect(waker_ref() is None, "waker_leak",
               "block_on returned and nobody holds its waker any more, but its Signal is still "
               "alive while the calling thread runs on: block_on keeps per-call state after "
               "it returned (in a global, or in the thread's thread-local state).")


# --- nesting --------------------------------------------------------------------------


class Nests(Future[list[str]]):
    """Calls block_on twice from inside its own poll; reports what happened."""

    def poll(self, cx: Context) -> Poll[list[str]]:
        seen: list[str] = []
        for _ in range(2):
            try:
                value = stage.block_on(ScriptedFuture("inner", name="an inner future"))
            except stage.NestedBlockOn:
                seen.append("NestedBlockOn")
            else:
                seen.append(f"returned {value!r}")
        return Ready(seen)


@pytest.mark.hint("nested_block_on")
def test_nested_block_on_raises() -> None:
    def body() -> tuple[list[str], str]:
        seen = stage.block_on(Nests())
        return seen, stage.block_on(ScriptedFuture("after", name="a ready future"))

    try:
        seen, after = run(body, "nested_block_on", "block_on called inside block_on")
    except stage.NestedBlockOn:
        fail("nested_block_on", "After a nested block_on was refused, the outer block_on "
                                "returned, but the next block_on on that thread raised "
                                "NestedBlockOn.")
    expect(seen == ["NestedBlockOn", "NestedBlockOn"], "nested_block_on",
           "A future polled by block_on called block_on twice on the same thread; expected "
           f"NestedBlockOn both times, got: {', '.join(seen)}.")
    expect(after == "after", "nested_block_on",
           f"The next block_on on that thread returned {after!r}.")


@pytest.mark.hint("guard_per_thread")
def test_block_on_on_two_threads_at_once(signals: list[Any]) -> None:
    parked = RemoteFuture("a", name="thread A's future")
    thread, outcome = start_thread(lambda: stage.block_on(parked), "block-on-A")
    try:
        for _ in range(200):  # until thread A polled its future (or ended): a hang catcher
            if parked.first_poll.wait(LIMIT / 200) or not thread.is_alive():
                break
        if "error" in outcome and not parked.first_poll.is_set():
            raise outcome["error"]
        expect(parked.first_poll.is_set(), "park_and_wake",
               "block_on never polled its future.")
        try:
            got = run(lambda: stage.block_on(ScriptedFuture("b", name="thread B's future")),
                      "guard_per_thread", "block_on on thread B")
        except stage.NestedBlockOn:
            fail("guard_per_thread",
                 "Thread A was inside block_on; thread B called block_on (not nested: another "
                 "thread) and got NestedBlockOn.")
        expect(got == "b", "guard_per_thread", f"block_on on thread B returned {got!r}.")
    finally:
        woken = parked.first_poll.is_set() and bool(signals) and signals[0].spy.wait_for_parks(1)
        if woken:
            parked.wake_up()
        thread.join(LIMIT)
    expect(woken, "park_and_wake",
           "Thread A's block_on polled a Pending future but never waited on its Signal's "
           "`cond`, so the test could not wake it as planned.")
    expect(outcome.get("value") == "a", "guard_per_thread",
           f"block_on on thread A ended with {outcome!r} after its future was woken.")

