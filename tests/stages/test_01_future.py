"""Stage 01: leaf futures on the poll protocol.

Order matters: basic behaviour of each future first, then one test per mistake, so the
first failure names the mistake (see tests/mutants/m01_future.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from kit import ManualTask, expect, fail, load_stage, poll_once
from kit.spies import expect_polled_after_completion_detected
from stdtask import Pending, Ready

stage = load_stage("01_future")


class FakeDevice:
    """Records submissions; the test decides when each one completes."""

    def __init__(self) -> None:
        self.submissions: list[tuple[str, Callable[[str], None]]] = []

    def submit(self, payload: str, on_done: Callable[[str], None]) -> None:
        self.submissions.append((payload, on_done))

    def finish(self, result: str, index: int = 0) -> None:
        self.submissions[index][1](result)


# --- ReadyFuture ---------------------------------------------------------------------


@pytest.mark.hint("ready_future")
@pytest.mark.parametrize("value", [42, "text", None, 0])
def test_ready_future_is_ready_on_first_poll(value: object) -> None:
    result = ManualTask(stage.ReadyFuture(value), what="ReadyFuture").poll()
    expect(
        result is not Pending,
        "ready_future",
        f"ReadyFuture({value!r}) returned Pending on its first poll.",
    )
    expect(
        result == Ready(value),
        "ready_future",
        f"ReadyFuture({value!r}) returned {result!r} on its first poll.",
    )


@pytest.mark.hint("poll_after_ready")
def test_ready_future_detects_poll_after_completion() -> None:
    future = stage.ReadyFuture("once")
    poll_once(future)
    expect_polled_after_completion_detected(future, "poll_after_ready", "ReadyFuture('once')")


# --- YieldNow ------------------------------------------------------------------------


@pytest.mark.hint("yield_now")
def test_yield_now_is_pending_once_and_wakes_itself() -> None:
    task = ManualTask(stage.YieldNow(), what="YieldNow")
    first = task.poll()
    expect(first is Pending, "yield_now", f"YieldNow's first poll returned {first!r}, not Pending.")
    expect(
        task.is_woken,
        "yield_now",
        "YieldNow returned Pending without waking its waker: no one else ever will, "
        "so the task would never be polled again.",
    )
    second = task.poll()
    expect(
        second == Ready(None),
        "yield_now",
        f"YieldNow's second poll returned {second!r} instead of Ready(None).",
    )


@pytest.mark.hint("poll_after_ready")
def test_yield_now_detects_poll_after_completion() -> None:
    future = stage.YieldNow()
    poll_once(future)
    poll_once(future)
    expect_polled_after_completion_detected(future, "poll_after_ready", "YieldNow()")


# --- Countdown -----------------------------------------------------------------------


@pytest.mark.hint("countdown")
@pytest.mark.parametrize("n", [0, 1, 3])
def test_countdown_needs_exactly_n_pending_polls(n: int) -> None:
    task = ManualTask(stage.Countdown(n), what=f"Countdown({n})")
    for i in range(n):
        result = task.poll()
        expect(
            result is Pending,
            "countdown",
            f"Countdown({n}) returned {result!r} on poll #{i + 1}; it should be Pending "
            f"for the first {n} polls.",
        )
        expect(
            task.is_woken,
            "countdown",
            f"Countdown({n}) returned Pending on poll #{i + 1} without waking itself.",
        )
    result = task.poll()
    expect(
        result == Ready("liftoff"),
        "countdown",
        f"Countdown({n}) returned {result!r} on poll #{n + 1} instead of Ready('liftoff').",
    )


@pytest.mark.hint("poll_after_ready")
def test_countdown_detects_poll_after_completion() -> None:
    future = stage.Countdown(1)
    poll_once(future)
    poll_once(future)
    expect_polled_after_completion_detected(future, "poll_after_ready", "Countdown(1)")


# --- Flag ----------------------------------------------------------------------------


@pytest.mark.hint("flag")
def test_flag_set_before_the_first_poll_is_ready_at_once() -> None:
    flag = stage.Flag()
    flag.set()
    result = ManualTask(flag.wait(), what="the flag's future").poll()
    expect(
        result == Ready(None),
        "flag",
        f"The flag was set before the first poll, yet poll returned {result!r}.",
    )


@pytest.mark.hint("flag")
def test_flag_waits_then_is_woken_by_set() -> None:
    flag = stage.Flag()
    task = ManualTask(flag.wait(), what="the flag's future")
    result = task.poll()
    expect(result is Pending, "flag", f"The flag is not set, yet poll returned {result!r}.")
    expect(
        not task.is_woken,
        "busy_loop",
        "The flag is not set, yet the future woke its own waker while returning Pending.",
    )
    flag.set()
    expect(
        task.is_woken,
        "flag",
        "set() was called while the future was waiting, but its waker was not woken.",
    )
    result = task.poll()
    expect(result == Ready(None), "flag", f"After set() the next poll returned {result!r}.")


@pytest.mark.hint("stale_waker")
def test_flag_wakes_the_waker_of_the_latest_poll() -> None:
    flag = stage.Flag()
    task = ManualTask(flag.wait(), what="the flag's future")
    task.poll()
    task.poll()  # a second poll, with a new waker: the task may have moved
    flag.set()
    if not task.is_woken:
        fail(
            "stale_waker",
            "The future was polled with waker A, then with waker B. set() did not wake B"
            + (" (it woke A, the stale one)." if task.stale_wakes else "."),
        )


@pytest.mark.hint("repeated_side_effect")
def test_flag_spurious_polls_change_nothing() -> None:
    flag = stage.Flag()
    task = ManualTask(flag.wait(), what="the flag's future")
    for _ in range(5):
        result = task.poll()
        expect(result is Pending, "flag", f"The flag is not set, yet poll returned {result!r}.")
    flag.set()
    expect(
        task.stale_wakes == 0,
        "repeated_side_effect",
        "After 5 polls with 5 different wakers, set() woke the 4 older wakers too: each "
        "poll registered the future again instead of replacing its registration.",
    )


@pytest.mark.hint("flag")
def test_flag_set_from_another_thread_wakes_the_waiter() -> None:
    flag = stage.Flag()
    task = ManualTask(flag.wait(), what="the flag's future")
    task.poll()
    setter = threading.Thread(target=flag.set)
    setter.start()
    setter.join()
    expect(task.is_woken, "flag", "set() called from another thread did not wake the waiter.")
    expect(
        task.poll() == Ready(None), "flag", "After set() from another thread, poll was not Ready."
    )


# --- Request -------------------------------------------------------------------------


@pytest.mark.hint("repeated_side_effect")
def test_request_is_lazy() -> None:
    device = FakeDevice()
    stage.Request(device, "GET /")
    expect(
        not device.submissions,
        "repeated_side_effect",
        "Creating a Request submitted it to the device before anyone polled it. Futures "
        "are lazy: nothing happens until the first poll.",
    )


@pytest.mark.hint("request")
def test_request_submits_on_first_poll_and_finishes_with_the_result() -> None:
    device = FakeDevice()
    task = ManualTask(stage.Request(device, "GET /"), what="Request")
    result = task.poll()
    expect(
        result is Pending, "request", f"The device has not answered, yet poll returned {result!r}."
    )
    expect(
        [p for p, _ in device.submissions] == ["GET /"],
        "request",
        f"After the first poll the device saw {[p for p, _ in device.submissions]!r} "
        "instead of one submission of 'GET /'.",
    )
    expect(
        not task.is_woken,
        "busy_loop",
        "The request woke its own waker while the device was still working.",
    )
    device.finish("200 OK")
    expect(task.is_woken, "request", "The device reported its result, but the waker was not woken.")
    result = task.poll()
    expect(
        result == Ready("200 OK"),
        "request",
        f"After the device answered '200 OK', poll returned {result!r}.",
    )


@pytest.mark.hint("repeated_side_effect")
def test_request_submits_exactly_once_however_often_polled() -> None:
    device = FakeDevice()
    task = ManualTask(stage.Request(device, "GET /"), what="Request")
    for _ in range(4):
        task.poll()
    expect(
        len(device.submissions) == 1,
        "repeated_side_effect",
        f"Four polls (three of them spurious) submitted the request {len(device.submissions)} "
        "times.",
    )


@pytest.mark.hint("stale_waker")
def test_request_wakes_the_waker_of_the_latest_poll() -> None:
    device = FakeDevice()
    task = ManualTask(stage.Request(device, "GET /"), what="Request")
    task.poll()
    task.poll()
    device.finish("200 OK")
    expect(
        task.is_woken,
        "stale_waker",
        "The request was polled with waker A, then waker B; the device's answer did not "
        "wake B" + (" (it woke A, the stale one)." if task.stale_wakes else "."),
    )


@pytest.mark.hint("request")
def test_request_answered_during_submit_is_ready_on_the_next_poll() -> None:
    class InstantDevice:
        def submit(self, payload: str, on_done: Callable[[str], None]) -> None:
            on_done(payload.upper())

    task = ManualTask(stage.Request(InstantDevice(), "ping"), what="Request")
    first = task.poll()
    if first is Pending:
        expect(
            task.is_woken,
            "request",
            "The device answered inside submit(); the request returned Pending without "
            "the waker being woken, so it would never be polled again.",
        )
        first = task.poll()
    expect(
        first == Ready("PING"),
        "request",
        f"The device answered 'PING' at once, but the request returned {first!r}.",
    )


@pytest.mark.hint("poll_after_ready")
def test_request_detects_poll_after_completion() -> None:
    device = FakeDevice()
    future = stage.Request(device, "GET /")
    poll_once(future)
    device.finish("200 OK")
    poll_once(future)
    expect_polled_after_completion_detected(future, "poll_after_ready", "Request")
