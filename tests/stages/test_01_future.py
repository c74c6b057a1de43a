"""Stage 01: leaf futures on the poll protocol.

Order matters: basic behaviour of each future first, then one test per mistake, so the
first failure names the mistake (see tests/mutants/m01_future.py). Every wake site (Flag's
`set()`, Request's completion) is also driven by a waker that polls the task at once
(InlineTask) and by one that polls it on another thread and waits (ThreadPollWaker). An
inline poll that needs a `threading.Lock` the waking code still holds deadlocks on one
thread: `run_waking` turns that into a failure that says so, never a hang.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kit import ManualTask, SpyWaker, expect, fail, load_stage, poll_once, watchdog
from kit.checking_waker import InlineTask
from kit.failures import raised
from kit.spies import expect_polled_after_completion_detected
from kit.thread_poll_waker import ThreadPollWaker
from kit.threads import LIMIT, start_thread
from stdtask import ContextExpired, Pending, Poll, PolledAfterCompletion, Ready, TodoError

stage = load_stage("01_future")


class FakeDevice:
    """Records submissions; the test decides when each one completes."""

    def __init__(self) -> None:
        self.submissions: list[tuple[str, Callable[[str], None]]] = []

    def submit(self, payload: str, on_done: Callable[[str], None]) -> None:
        self.submissions.append((payload, on_done))

    def finish(self, result: str, index: int = 0) -> None:
        """Report `result` through the `on_done` of submission `index`."""
        if len(self.submissions) <= index:
            fail(
                "request",
                f"The request was polled, but the device saw only {len(self.submissions)} "
                "submission(s): it has nothing to answer.",
            )
        on_done = self.submissions[index][1]
        try:
            on_done(result)
        except ContextExpired:
            fail(
                "context_outlived_poll",
                f"The device answered {result!r}, and the request's completion used the "
                "Context of an earlier poll to reach a waker. That poll had returned, so its "
                "context had expired: a Context is valid only during its own poll.",
            )


def set_flag(flag: Any) -> None:
    """`flag.set()`, with a context kept from an earlier poll named for what it is."""
    try:
        flag.set()
    except ContextExpired:
        fail(
            "context_outlived_poll",
            "set() used the Context of an earlier poll to reach the waiting task's waker. "
            "That poll had returned, so its context had expired: a Context is valid only "
            "during its own poll.",
        )


def run_on_another_thread(action: Callable[[], None]) -> None:
    """Run `action` on a new thread and wait for it; its exception is raised here."""
    thread, outcome = start_thread(action, name="another thread")
    thread.join(LIMIT)
    if thread.is_alive():
        fail("hang", "A call made from another thread did not return.")
    if "error" in outcome:
        raise outcome["error"]


def run_waking(action: Callable[[], None], task: InlineTask[Any], who: str) -> None:
    """Run `action` (which should wake `task`) without letting a deadlock hang the test."""
    thread, outcome = start_thread(action, name="the code that wakes")
    thread.join(LIMIT)
    if thread.is_alive():
        first = who[:1].upper() + who[1:]
        if task.polling:
            fail(
                "wake_under_lock",
                f"{first} called wake(); this test's waker polls the task right there, inside "
                f"wake() (an executor may do that). After {LIMIT:g} s that poll had still not "
                f"returned, nor had {who}: the poll waits for something {who} is holding, and "
                f"{who} waits for the poll.",
            )
        fail("hang", f"{first} had not returned after {LIMIT:g} s"
             + (" (its wake() had returned)." if task.waker.woken else ", and had not woken the task."))
    if "error" in outcome:
        raise outcome["error"]


def shown(value: object) -> str:
    """A value as the attendee would write it, with a word for the empty ones."""
    names = {"''": "an empty string", "[]": "an empty list"}
    text = repr(value)
    return f"{text} ({names[text]})" if text in names else text


def listed(answers: list[object]) -> str:
    """`Pending, Ready('liftoff'), raised PolledAfterCompletion`: answers in a sentence."""
    return ", ".join(a if isinstance(a, str) else repr(a) for a in answers)


def expect_poll_after_ready_detected(future: Any, what: str) -> None:
    """Poll a finished future again: it must raise PolledAfterCompletion, not another error.

    A NameError stays itself (your_code_raised): a missing import of PolledAfterCompletion
    means the future *did* try to detect the poll after Ready.
    """
    try:
        expect_polled_after_completion_detected(future, "poll_after_ready", what)
    except (AssertionError, ContextExpired, TodoError, NameError):
        raise
    except Exception as error:
        fail(
            "poll_after_ready",
            f"{what} was polled again after returning Ready and raised {raised(error)}, "
            "not PolledAfterCompletion.",
        )


def expect_ready_before(result: Poll[Any], hint: str, what: str) -> None:
    """The poll before a poll-after-Ready check must have been Ready (else say what it was)."""
    expect(
        isinstance(result, Ready),
        hint,
        f"{what} returned {result!r} where Ready was due, so polling it after Ready could "
        "not even be tried.",
    )


# --- ReadyFuture ---------------------------------------------------------------------


@pytest.mark.hint("ready_future")
@pytest.mark.parametrize("value", [42, "text"])
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


@pytest.mark.hint("falsy_value")
@pytest.mark.parametrize("value", [None, 0, "", [], False], ids=repr)
def test_ready_future_with_a_falsy_value_is_ready_on_first_poll(value: object) -> None:
    try:
        result = ManualTask(stage.ReadyFuture(value), what="ReadyFuture").poll()
    except PolledAfterCompletion:
        fail(
            "falsy_value",
            f"ReadyFuture({shown(value)}) raised PolledAfterCompletion on its very first "
            f"poll, as if it had already handed its value out. {value!r} is a value like "
            "any other.",
        )
    expect(
        result is not Pending,
        "falsy_value",
        f"ReadyFuture({shown(value)}) returned Pending on its first poll. {value!r} is a "
        "value like any other: the future has it from the start.",
    )
    expect(
        isinstance(result, Ready)
        and type(result.value) is type(value)
        and result.value == value,
        "falsy_value",
        f"ReadyFuture({shown(value)}) returned {result!r} on its first poll.",
    )


@pytest.mark.hint("poll_after_ready")
@pytest.mark.parametrize("value", ["once", None])
def test_ready_future_detects_poll_after_completion(value: object) -> None:
    future = stage.ReadyFuture(value)
    expect_ready_before(poll_once(future), "ready_future", f"ReadyFuture({value!r})")
    expect_poll_after_ready_detected(future, f"ReadyFuture({value!r})")


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
    expect_ready_before(poll_once(future), "yield_now", "YieldNow, on its second poll,")
    expect_poll_after_ready_detected(future, "YieldNow()")


@pytest.mark.hint("yield_now")
def test_yield_now_finishes_under_a_task_that_polls_inside_wake() -> None:
    task = InlineTask(stage.YieldNow(), name="YieldNow's task")
    watchdog(task.poll, seconds=LIMIT, hint="yield_now",
             message="YieldNow, driven by a task that polls again as soon as it is woken, "
             "did not finish")
    expect(
        task.results == [Pending, Ready(None)],
        "yield_now",
        "Driven by a task that polls again as soon as it is woken, YieldNow answered "
        f"{task.results!r} instead of [Pending, Ready(None)].",
    )


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


@pytest.mark.hint("countdown")
def test_two_countdowns_count_separately() -> None:
    long, short = stage.Countdown(2), stage.Countdown(1)
    answers: dict[str, list[object]] = {"Countdown(2)": [], "Countdown(1)": []}

    def poll(name: str, future: Any) -> None:
        try:
            answers[name].append(poll_once(future))
        except PolledAfterCompletion:
            answers[name].append("raised PolledAfterCompletion")

    for _ in range(2):  # polled in turn: long, short, long, short, long
        poll("Countdown(2)", long)
        poll("Countdown(1)", short)
    poll("Countdown(2)", long)
    expect(
        answers == {"Countdown(2)": [Pending, Pending, Ready("liftoff")],
                    "Countdown(1)": [Pending, Ready("liftoff")]},
        "countdown",
        "Countdown(2) and Countdown(1) were created, then polled in turn. Countdown(2) "
        f"answered {listed(answers['Countdown(2)'])}; Countdown(1) answered "
        f"{listed(answers['Countdown(1)'])}. Each counts its own polls: Countdown(2) is "
        "Pending twice, Countdown(1) once, then Ready('liftoff').",
    )


@pytest.mark.hint("poll_after_ready")
def test_countdown_detects_poll_after_completion() -> None:
    future = stage.Countdown(1)
    poll_once(future)
    expect_ready_before(poll_once(future), "countdown", "Countdown(1), on its second poll,")
    expect_poll_after_ready_detected(future, "Countdown(1)")


@pytest.mark.hint("countdown")
def test_countdown_finishes_under_a_task_that_polls_inside_wake() -> None:
    task = InlineTask(stage.Countdown(3), name="the countdown's task")
    watchdog(task.poll, seconds=LIMIT, hint="countdown",
             message="Countdown(3), driven by a task that polls again as soon as it is woken, "
             "did not finish")
    expect(
        task.results == [Pending, Pending, Pending, Ready("liftoff")],
        "countdown",
        "Driven by a task that polls again as soon as it is woken, Countdown(3) answered "
        f"{task.results!r} instead of three Pending, then Ready('liftoff').",
    )


# --- Flag ----------------------------------------------------------------------------


@pytest.mark.hint("flag")
def test_flag_set_before_the_first_poll_is_ready_at_once() -> None:
    flag = stage.Flag()
    set_flag(flag)
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
    set_flag(flag)
    expect(
        task.is_woken,
        "flag",
        "set() was called while the future was waiting, but its waker was not woken.",
    )
    result = task.poll()
    expect(result == Ready(None), "flag", f"After set() the next poll returned {result!r}.")


@pytest.mark.hint("flag")
def test_setting_the_flag_twice_is_harmless() -> None:
    early = stage.Flag()
    set_flag(early)
    set_flag(early)
    result = poll_once(early.wait())
    expect(result == Ready(None), "flag",
           f"The flag was set twice before the first poll, then poll returned {result!r}.")
    flag = stage.Flag()
    task = ManualTask(flag.wait(), what="the flag's future")
    task.poll()
    set_flag(flag)
    set_flag(flag)
    expect(task.is_woken, "flag",
           "set() was called twice while the future was waiting; its waker was never woken.")
    result = task.poll()
    expect(result == Ready(None), "flag",
           f"set() was called twice while the future waited; the next poll returned {result!r}.")


@pytest.mark.hint("flag")
def test_flag_set_from_another_thread_wakes_the_waiter() -> None:
    flag = stage.Flag()
    task = ManualTask(flag.wait(), what="the flag's future")
    task.poll()
    run_on_another_thread(lambda: set_flag(flag))
    expect(task.is_woken, "flag", "set() called from another thread did not wake the waiter.")
    result = task.poll()
    expect(result == Ready(None), "flag",
           f"After set() from another thread, the next poll returned {result!r}.")


@pytest.mark.hint("flag")
def test_two_flags_wake_their_own_waiters() -> None:
    first, second = stage.Flag(), stage.Flag()
    waiting_first = ManualTask(first.wait(), what="the first flag's future")
    waiting_second = ManualTask(second.wait(), what="the second flag's future")
    waiting_first.poll()
    waiting_second.poll()
    set_flag(first)
    expect(
        waiting_first.is_woken and not waiting_second.is_woken,
        "flag",
        "Two flags, each with a future waiting on it. set() on the first flag woke "
        + ("its own waiter and also the second flag's waiter."
           if waiting_first.is_woken else
           "the second flag's waiter instead of its own." if waiting_second.is_woken else
           "neither waiter."),
    )
    result = poll_once(second.wait())
    expect(result is Pending, "flag",
           f"Only the first of two flags was set, yet a new future of the second flag "
           f"returned {result!r}.")


@pytest.mark.hint("stale_waker")
def test_flag_wakes_the_waker_of_the_latest_poll() -> None:
    flag = stage.Flag()
    task = ManualTask(flag.wait(), what="the flag's future")
    for poll in ("first", "second"):
        result = task.poll()
        expect(result is Pending, "flag",
               f"The flag is not set, yet the {poll} poll returned {result!r}.")
    set_flag(flag)
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
    for i in range(5):
        result = task.poll()
        expect(result is Pending, "flag", f"The flag is not set, yet poll #{i + 1} returned "
               f"{result!r}.")
        expect(
            not task.is_woken,
            "busy_loop",
            f"The flag is not set, yet on poll #{i + 1} the future woke its own waker while "
            "returning Pending.",
        )
    set_flag(flag)
    stale = task.stale_wakes
    expect(
        stale == 0,
        "repeated_side_effect",
        "The future was polled 5 times, each time with a new waker; set() then woke the "
        f"latest waker, and {stale} wake(s) also went to wakers of earlier polls: polling "
        "again registered the future again instead of replacing its registration.",
    )


@pytest.mark.hint("context_outlived_poll")
def test_flag_keeps_the_waker_not_the_context() -> None:
    flag = stage.Flag()
    waker = SpyWaker("the waker of the only poll")
    result = poll_once(flag.wait(), waker)
    expect(result is Pending, "flag", f"The flag is not set, yet poll returned {result!r}.")
    set_flag(flag)
    expect(waker.woken, "flag",
           "set() was called while the future was waiting, but its waker was not woken.")


@pytest.mark.hint("wake_before_state")
def test_flag_set_with_a_waker_that_polls_at_once() -> None:
    flag = stage.Flag()
    task = InlineTask(flag.wait(), name="the flag's task")
    result = task.poll()
    expect(result is Pending, "flag", f"The flag is not set, yet poll returned {result!r}.")
    run_waking(lambda: set_flag(flag), task, "set()")
    expect(task.waker.woken, "flag",
           "set() was called while the future was waiting, but its waker was not woken.")
    if not task.done:
        fail(
            "wake_before_state",
            "set() woke the task. This test's waker polls the task at once, inside wake() "
            f"(an executor may do that), and that poll returned {task.results[-1]!r}, as if "
            "the flag were not set yet. Nothing woke the task after that: it would wait "
            "forever.",
        )


@pytest.mark.hint("wake_under_lock")
def test_flag_set_with_a_waker_that_polls_on_another_thread() -> None:
    flag = stage.Flag()
    future = flag.wait()
    waker = ThreadPollWaker(future, name="waker of the flag's task")
    result = poll_once(future, waker)
    expect(result is Pending, "flag", f"The flag is not set, yet poll returned {result!r}.")
    set_flag(flag)
    outcome = waker.settle()
    if outcome == "after_return":
        fail(
            "wake_under_lock",
            "set() woke the task. This test's waker has the task polled on another thread "
            "and waits for that poll before wake() returns (an executor may do that). The "
            f"poll could not finish while set() was inside wake() (the test gave up after "
            f"{LIMIT:g} s), and finished once set() had returned: set() was still holding "
            "something the poll needs. With such a waker, set() and the poll wait for each "
            "other forever.",
        )
    if outcome == "never":
        fail("hang", "set() woke the task; its poll on another thread never finished, even "
             "after set() had returned.")
    expect(waker.woken, "flag",
           "set() was called while the future was waiting, but its waker was not woken.")
    expect(
        waker.results[-1] == Ready(None),
        "wake_before_state",
        "set() woke the task. This test's waker has the task polled on another thread at "
        "once, while wake() waits (an executor may do that), and that poll returned "
        f"{waker.results[-1]!r}, as if the flag were not set yet. Nothing woke the task after "
        "that: it would wait forever.",
    )


@pytest.mark.hint("poll_after_ready")
def test_flag_future_detects_poll_after_completion() -> None:
    flag = stage.Flag()
    set_flag(flag)
    future = flag.wait()
    expect_ready_before(poll_once(future), "flag", "The future of a flag that was set")
    expect_poll_after_ready_detected(future, "The flag's future")


# --- Request -------------------------------------------------------------------------


@pytest.mark.hint("not_lazy")
def test_request_is_lazy() -> None:
    device = FakeDevice()
    stage.Request(device, "GET /")
    expect(
        not device.submissions,
        "not_lazy",
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
    for i in range(4):
        result = task.poll()
        expect(result is Pending, "request",
               f"The device has not answered, yet poll #{i + 1} returned {result!r}.")
        expect(
            not task.is_woken,
            "busy_loop",
            f"The device has not answered, yet on poll #{i + 1} the request woke its own "
            "waker while returning Pending.",
        )
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
    for poll in ("first", "second"):
        result = task.poll()
        expect(result is Pending, "request",
               f"The device has not answered, yet the {poll} poll returned {result!r}.")
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
    first = watchdog(
        task.poll, seconds=LIMIT, hint="request",
        message="The device answered inside submit() (the Device's docstring allows that), "
        "and the request's first poll never returned",
    )
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


@pytest.mark.hint("request")
def test_request_answered_from_another_thread() -> None:
    device = FakeDevice()
    task = ManualTask(stage.Request(device, "GET /"), what="Request")
    task.poll()
    run_on_another_thread(lambda: device.finish("200 OK"))
    expect(task.is_woken, "request",
           "The device answered from another thread, but the request's waker was not woken.")
    result = task.poll()
    expect(result == Ready("200 OK"), "request",
           f"The device answered '200 OK' from another thread; the next poll returned {result!r}.")


@pytest.mark.hint("request")
def test_two_requests_get_their_own_answers() -> None:
    device = FakeDevice()
    first = ManualTask(stage.Request(device, "GET /a"), what="the first request")
    second = ManualTask(stage.Request(device, "GET /b"), what="the second request")
    first.poll()
    second.poll()
    sent = [p for p, _ in device.submissions]
    expect(sent == ["GET /a", "GET /b"], "request",
           f"Two requests, each polled once: the device saw {sent!r}.")
    device.finish("B", index=1)
    woke = ("both requests' wakers" if first.is_woken and second.is_woken
            else "the first request's waker instead" if first.is_woken
            else "the second request's waker" if second.is_woken
            else "neither waker")
    expect(second.is_woken and not first.is_woken, "request",
           f"Two requests were waiting; the device answered the second one, which woke {woke}.")
    device.finish("A", index=0)
    answers = (first.poll(), second.poll())
    expect(answers == (Ready("A"), Ready("B")), "request",
           "The device answered 'B' to the second request, then 'A' to the first; the "
           f"requests then returned {answers[0]!r} and {answers[1]!r}.")


@pytest.mark.hint("falsy_value")
@pytest.mark.parametrize("answer", [""], ids=repr)
def test_request_finishes_with_an_empty_answer(answer: str) -> None:
    device = FakeDevice()
    future = stage.Request(device, "GET /")
    waker = SpyWaker("the waker of the latest poll")
    first = poll_once(future, waker)
    expect(first is Pending, "request",
           f"The device has not answered, yet poll returned {first!r}.")
    device.finish(answer)
    expect(
        waker.woken,
        "falsy_value",
        f"The device answered {shown(answer)}, and the request did not wake its waker. "
        "An empty answer is an answer like any other.",
    )
    result = poll_once(future)
    expect(
        result == Ready(answer),
        "falsy_value",
        f"The device answered {shown(answer)} and the request woke its task, but the next "
        f"poll returned {result!r}. An empty answer is an answer like any other.",
    )


@pytest.mark.hint("wake_before_state")
def test_request_answer_with_a_waker_that_polls_at_once() -> None:
    device = FakeDevice()
    task = InlineTask(stage.Request(device, "GET /"), name="the request's task")
    result = task.poll()
    expect(result is Pending, "request",
           f"The device has not answered, yet poll returned {result!r}.")
    run_waking(lambda: device.finish("200 OK"), task, "the request's completion")
    expect(task.waker.woken, "request",
           "The device reported its result, but the waker was not woken.")
    if not task.done:
        fail(
            "wake_before_state",
            "The device answered '200 OK' and the request woke its task. This test's waker "
            "polls the task at once, inside wake() (an executor may do that), and that poll "
            f"returned {task.results[-1]!r}, as if there were no answer yet. Nothing woke "
            "the task after that: it would wait forever.",
        )
    expect(task.value == "200 OK", "request",
           f"The device answered '200 OK', but the request finished with {task.value!r}.")


@pytest.mark.hint("wake_under_lock")
def test_request_answer_with_a_waker_that_polls_on_another_thread() -> None:
    device = FakeDevice()
    future = stage.Request(device, "GET /")
    waker = ThreadPollWaker(future, name="waker of the request's task")
    result = poll_once(future, waker)
    expect(result is Pending, "request",
           f"The device has not answered, yet poll returned {result!r}.")
    device.finish("200 OK")
    outcome = waker.settle()
    if outcome == "after_return":
        fail(
            "wake_under_lock",
            "The device answered, and the request's completion woke the task. This test's "
            "waker has the task polled on another thread and waits for that poll before "
            "wake() returns (an executor may do that). The poll could not finish while the "
            f"completion was inside wake() (the test gave up after {LIMIT:g} s), and "
            "finished once the completion had returned: it was still holding something "
            "the poll needs. With such a waker, the two wait for each other forever.",
        )
    if outcome == "never":
        fail("hang", "The device's answer woke the task; its poll on another thread never "
             "finished, even after the completion had returned.")
    expect(waker.woken, "request",
           "The device reported its result, but the waker was not woken.")
    expect(
        waker.results[-1] is not Pending,
        "wake_before_state",
        "The device answered '200 OK' and the request woke its task. This test's waker has "
        "the task polled on another thread at once, while wake() waits (an executor may do "
        "that), and that poll returned Pending, as if there were no answer yet. Nothing woke "
        "the task after that: it would wait forever.",
    )
    expect(waker.results[-1] == Ready("200 OK"), "request",
           "The device answered '200 OK' and woke the task; polled then, the request "
           f"returned {waker.results[-1]!r}.")


@pytest.mark.hint("poll_after_ready")
def test_request_detects_poll_after_completion() -> None:
    device = FakeDevice()
    future = stage.Request(device, "GET /")
    poll_once(future)
    device.finish("200 OK")
    expect_ready_before(poll_once(future), "request",
                        "The request, polled after the device answered '200 OK',")
    expect_poll_after_ready_detected(future, "Request")
