"""Stage 06: a single-threaded executor with spawn, JoinHandle and abort.

Order matters: basic behaviour first, then one test per mistake, so the first failure
names the mistake (see tests/mutants/m06_spawn.py). The root future of each test is an
`async def`; its leaf futures are scripted, so every run is the same.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from kit import ScriptedFuture, SpyWaker, expect, fail, load_stage, poll_once, watchdog
from kit.checking_waker import InlineTask
from kit.cross_thread import ThreadFlag, when_parked
from kit.exception_chain import made_from
from kit.failures import raised
from stdtask import (
    Context,
    Future,
    Pending,
    Poll,
    PolledAfterCompletion,
    Ready,
    TodoError,
    Waker,
    into_future,
)

stage = load_stage("06_spawn")

LIMIT = 5.0  # seconds: only a hang catcher, every test here takes milliseconds


def run(root: Any, hint: str, what: str = "the test's root future") -> Any:
    """`block_on(root)`, turning a hang into a failure with `hint`."""
    return watchdog(lambda: stage.block_on(root), seconds=LIMIT, hint=hint,
                    message=f"block_on({what}) never returned")


def yield_once(name: str = "the root's yield_now()") -> ScriptedFuture[None]:
    """Pending once, waking itself: lets every queued task run before the next poll."""
    return ScriptedFuture(pending=1, self_wake=True, name=name, misuse_hint="double_schedule")


class CountingRoot(Future[Any]):
    """The root future: counts its polls, runs the coroutine `body`."""

    def __init__(self, body: Any) -> None:
        self.inner = into_future(body)
        self.polls = 0

    def poll(self, cx: Context) -> Poll[Any]:
        self.polls += 1
        return self.inner.poll(cx)


# --- spawning and joining ----------------------------------------------------------------

@pytest.mark.hint("root_first_poll")
def test_root_is_polled_at_once() -> None:
    async def body() -> str:
        return "ready at once"

    root = CountingRoot(body())
    try:
        out = run(root, "root_first_poll")
    except stage.Deadlock:
        expect(root.polls > 0, "root_first_poll",
               "block_on raised Deadlock without ever polling the root future.")
        raise
    expect(out == "ready at once" and root.polls == 1, "root_first_poll",
           f"block_on(a root Ready on its first poll) returned {out!r} after {root.polls} "
           "polls of the root.")


@pytest.mark.hint("false_deadlock")
def test_root_woken_by_a_task_is_polled_again() -> None:
    leaf = ScriptedFuture("from the task", pending=None, name="the root's leaf future",
                          misuse_hint="double_schedule")
    ran: list[str] = []

    async def completer() -> None:
        ran.append("completer")
        leaf.complete()  # wakes the root, which awaits the leaf

    async def body() -> str:
        stage.spawn(completer())
        return await leaf

    root = CountingRoot(body())
    try:
        out = run(root, "false_deadlock")
    except stage.Deadlock:
        expect(root.polls > 0, "root_first_poll",
               "block_on raised Deadlock without ever polling the root future.")
        expect(bool(ran), "spawn", "The root spawned a task and returned Pending; the task "
                                   "never ran, and block_on raised Deadlock.")
        woken = leaf.waker is not None
        fail("false_deadlock",
             "The root awaited a leaf future; a task completed it "
             f"{'(waking the waker the root had given it) ' if woken else ''}and nothing else "
             "was queued; block_on then raised Deadlock although the root had been woken.")
    expect(out == "from the task" and root.polls == 2, "false_deadlock",
           f"block_on returned {out!r} after {root.polls} polls of the root (expected "
           "'from the task' after 2).")


@pytest.mark.hint("root_wake_lost")
def test_root_that_wakes_itself_is_polled_again() -> None:
    async def body() -> str:
        await yield_once("the root's 1st yield_now()")
        await yield_once("the root's 2nd yield_now()")
        return "root done"

    root = CountingRoot(body())
    try:
        out = run(root, "root_wake_lost")
    except stage.Deadlock:
        expect(root.polls > 0, "root_first_poll",
               "block_on raised Deadlock without ever polling the root future.")
        fail("root_wake_lost",
             "The root woke its own waker during its poll and returned Pending (like "
             "yield_now), with no task spawned; block_on raised Deadlock: the wake that came "
             "during the root's poll was not counted.")
    expect(out == "root done", "root_wake_lost", f"block_on returned {out!r}.")


@pytest.mark.hint("spawn")
def test_spawned_task_runs_while_root_yields() -> None:
    ran: list[str] = []

    async def child() -> None:
        ran.append("child")

    async def root() -> str:
        stage.spawn(child())
        expect(ran == [], "spawn",
               "spawn() polled the new task at once, inside the root's poll. A spawned task "
               "only goes into the run queue; the executor polls it after the root returns.")
        await yield_once()
        return "root done"

    try:
        out = run(root(), "spawn")
    except stage.Deadlock as error:
        fail("spawn", f"The root spawned a task, then woke itself and returned Pending; "
                      f"block_on raised Deadlock ({error}) instead of polling them.")
    expect(ran == ["child"], "spawn",
           "The root spawned a task, then yielded once (woke itself, returned Pending). The task "
           f"should have run before the root's second poll; it ran {len(ran)} times.")
    expect(out == "root done", "spawn", f"block_on returned {out!r} instead of the root's output.")


@pytest.mark.hint("spawn")
def test_spawn_outside_block_on_is_a_clear_error() -> None:
    async def nothing() -> None:
        return None

    coro = nothing()
    try:
        stage.spawn(coro)
    except RuntimeError:
        pass
    else:
        fail("spawn", "spawn() called with no executor running returned normally; it must "
                      "raise RuntimeError (tokio::spawn panics outside a runtime).")
    finally:
        coro.close()


@pytest.mark.hint("join_never_woken")
def test_join_handle_gives_the_output_and_wakes_its_awaiter() -> None:
    finished: list[int] = []

    async def child() -> int:
        finished.append(1)
        return 42

    async def root() -> int:
        handle = stage.spawn(child())
        return await handle  # Pending first: the task has not run yet

    try:
        out = run(root(), "join_never_woken")
    except stage.Deadlock:
        if not finished:
            fail("spawn", "The root spawned a task and awaited its JoinHandle; the task never "
                          "ran, and block_on raised Deadlock.")
        fail("join_never_woken",
             "The root awaited a JoinHandle (Pending: the task had not run yet). The task then "
             "finished, but the root was never woken, so block_on found nothing to run "
             "(Deadlock).")
    expect(out == 42, "join_never_woken",
           f"Awaiting the JoinHandle of a task that returned 42 gave {out!r}.")


@pytest.mark.hint("spawn")
def test_join_handle_of_a_task_that_already_finished() -> None:
    async def child() -> str:
        return "early"

    async def root() -> tuple[bool, str]:
        handle = stage.spawn(child())
        await yield_once()  # the task runs and finishes here
        done = handle.is_finished()
        return done, await handle

    done, out = run(root(), "spawn")
    expect(done, "spawn", "After the root yielded once, the task (Ready on its first poll) "
                          "should have run; JoinHandle.is_finished() said False.")
    expect(out == "early", "spawn", f"Awaiting a finished task's JoinHandle gave {out!r}.")


# --- the run queue ---------------------------------------------------------------------

class Recorder(Future[str]):
    """Logs each poll; Pending (keeping the waker) until `release()`, then Ready(name)."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log
        self.waker: Waker | None = None
        self.released = False

    def poll(self, cx: Context) -> Poll[str]:
        self.log.append(self.name)
        if self.released:
            return Ready(self.name)
        self.waker = cx.waker
        return Pending

    def wake(self) -> None:
        if self.waker is not None:
            self.waker.wake()

    def drop(self) -> None:
        self.log.append(f"drop {self.name}")


@pytest.mark.hint("run_queue_fifo")
def test_tasks_run_in_the_order_they_were_woken() -> None:
    log: list[str] = []
    tasks = {name: Recorder(name, log) for name in "ABC"}

    async def root() -> None:
        for name in "ABC":
            stage.spawn(tasks[name])
        await yield_once()  # A, B, C polled once: Pending
        spawned = list(log)
        log.clear()
        for name in "CAB":
            tasks[name].wake()
        await yield_once()
        woken = list(log)
        expect(spawned == ["A", "B", "C"], "run_queue_fifo",
               f"The root spawned tasks A, B, C, then yielded; they were polled in the order "
               f"{spawned}. The run queue is first in, first out: spawn order.")
        expect(woken == ["C", "A", "B"], "run_queue_fifo",
               f"The root woke the Pending tasks C, A, B (in that order), then yielded; they "
               f"were polled in the order {woken}. The run queue is first in, first out: the "
               "order of the wakes.")
        for recorder in tasks.values():
            recorder.released = True
            recorder.wake()
        await yield_once()

    run(root(), "run_queue_fifo")


@pytest.mark.hint("queue_mutated")
def test_tasks_spawn_tasks() -> None:
    order: list[str] = []

    async def grandchild(name: str) -> str:
        order.append(name)
        return name

    async def child() -> list[str]:
        order.append("child")
        first = stage.spawn(grandchild("grandchild 1"))  # spawned while the queue runs
        second = stage.spawn(grandchild("grandchild 2"))
        return [await first, await second]

    async def root() -> list[str]:
        return await stage.spawn(child())

    try:
        out = run(root(), "queue_mutated")
    except stage.Deadlock:
        fail("queue_mutated",
             f"A task spawned two tasks while the executor was running its queue; they were "
             f"lost (ran: {order}) and block_on raised Deadlock.")
    except RuntimeError as error:  # "deque mutated during iteration"; anything else: as itself
        if "mutated" not in str(error):
            raise
        fail("queue_mutated",
             f"A task spawned two tasks while the executor was running its queue, and "
             f"block_on raised {type(error).__name__}: {error}")
    expect(out == ["grandchild 1", "grandchild 2"], "queue_mutated",
           f"The task awaited the two tasks it spawned and got {out!r}.")
    expect(order == ["child", "grandchild 1", "grandchild 2"], "queue_mutated",
           f"Tasks ran in the order {order}; spawned tasks run in spawn order, after the "
           "task that spawned them.")


@pytest.mark.hint("queue_mutated")
def test_task_woken_by_another_task_while_the_queue_runs() -> None:
    leaf = ScriptedFuture("data", pending=None, name="the waiting task's leaf future",
                          misuse_hint="double_schedule")

    async def waiter() -> str:
        return await leaf

    async def completer() -> None:
        leaf.complete()  # wakes `waiter` while the queue is being run

    async def root() -> str:
        handle = stage.spawn(waiter())
        await yield_once()  # waiter polled: Pending
        stage.spawn(completer())
        return await handle

    try:
        out = run(root(), "queue_mutated")
    except stage.Deadlock:
        fail("queue_mutated", "A task woke another task while the executor was running its "
                              "queue; that wake was lost and block_on raised Deadlock.")
    except RuntimeError as error:  # "deque mutated during iteration"; anything else: as itself
        if "mutated" not in str(error):
            raise
        fail("queue_mutated", f"A task woke another task while the executor was running its "
                              f"queue, and block_on raised {type(error).__name__}: {error}")
    expect(out == "data", "queue_mutated", f"The woken task's JoinHandle gave {out!r}.")


# --- JoinHandle ------------------------------------------------------------------------

@pytest.mark.hint("join_never_woken")
@pytest.mark.parametrize("value", [0, None, "", []])
def test_join_handle_gives_falsy_outputs(value: object) -> None:
    async def child() -> object:
        return value

    async def root() -> tuple[object, object]:
        waited = stage.spawn(child())
        early = await waited  # Pending first: the task has not run yet
        finished = stage.spawn(child())
        await yield_once()  # this one finishes before it is awaited
        return early, await finished

    try:
        out = run(root(), "join_never_woken")
    except stage.Deadlock:
        fail("join_never_woken",
             f"The root awaited the JoinHandle of a task that returns {value!r}; the task "
             "finished but the root was never woken (Deadlock): is a falsy output taken for "
             "\"not finished yet\"?")
    expect(out == (value, value) and all(type(v) is type(value) for v in out),
           "join_never_woken",
           f"Two tasks returned {value!r}; awaiting their JoinHandles (one before, one after "
           f"the task finished) gave {out!r}.")


@pytest.mark.hint("join_after_ready")
def test_join_handle_polled_after_ready_raises() -> None:
    async def child() -> str:
        return "once"

    async def root() -> tuple[str, str]:
        handle = stage.spawn(child())
        value = await handle
        try:
            again = poll_once(handle)
        except PolledAfterCompletion:
            return value, "PolledAfterCompletion"
        return value, f"returned {again!r}"

    value, again = run(root(), "join_after_ready")
    expect(value == "once", "join_never_woken", f"Awaiting the JoinHandle gave {value!r}.")
    expect(again == "PolledAfterCompletion", "join_after_ready",
           "A JoinHandle that had returned Ready('once') was polled again and "
           f"{again} instead of raising PolledAfterCompletion (its output was already taken).")


class Caught(Future[tuple[str, Any]]):
    """Wraps a JoinHandle: Ready(("value", v)) or Ready(("raised", error)), never raises."""

    def __init__(self, inner: Future[Any]) -> None:
        self.inner = inner

    def poll(self, cx: Context) -> Poll[tuple[str, Any]]:
        try:
            result = self.inner.poll(cx)
        except Exception as error:
            return Ready(("raised", error))
        if result is Pending:
            return Pending
        return Ready(("value", result.value))  # type: ignore[union-attr]


def inline_outcome(inline: InlineTask[tuple[str, Any]]) -> str:
    polls = len(inline.results)
    if inline.done:
        kind, got = inline.value
        return f"the JoinHandle {'gave' if kind == 'value' else 'raised'} {got!r}"
    return (f"the JoinHandle was polled {polls} time(s) and answered Pending every time: the "
            "task did not look finished when it woke the handle's waker" if polls > 1 else
            "the handle's waker was never woken")


@pytest.mark.hint("join_state_first")
@pytest.mark.parametrize("value", ["output", 0])
def test_join_waker_is_woken_after_the_output_is_stored(value: object) -> None:
    async def child() -> object:
        return value

    async def root() -> str:
        handle = stage.spawn(child())
        # An awaiter whose waker polls the handle at once, inside wake(): the legal worst
        # timing for whoever wakes it.
        inline = InlineTask(Caught(handle), name="the handle's awaiter")
        expect(inline.poll() is Pending, "join_never_woken",
               "The JoinHandle of a task that had not run yet was Ready.")
        await yield_once()  # the task runs, finishes, and wakes the awaiter
        expect(inline.done and inline.value == ("value", value), "join_state_first",
               f"A task returned {value!r} and woke its JoinHandle's awaiter; that awaiter "
               "polled the handle right inside wake(), and "
               f"{inline_outcome(inline)}. The task must be finished, its output stored, "
               "before it wakes anyone.")
        return "ok"

    run(root(), "join_state_first")


@pytest.mark.hint("join_latest_waker")
def test_join_handle_wakes_the_waker_of_its_latest_poll() -> None:
    leaf = ScriptedFuture("late", pending=None, name="the task's leaf future",
                          misuse_hint="double_schedule")

    async def child() -> str:
        return await leaf

    async def root() -> bool:
        handle = stage.spawn(child())
        await yield_once()  # the task: Pending on its leaf
        first, second = SpyWaker("waker of the 1st poll"), SpyWaker("waker of the 2nd poll")
        expect(poll_once(handle, first) is Pending and poll_once(handle, second) is Pending,
               "join_never_woken", "The JoinHandle of an unfinished task was Ready.")
        leaf.complete()
        await yield_once()  # the task finishes
        return second.woken

    woken = run(root(), "join_latest_waker")
    expect(woken, "join_latest_waker",
           "A JoinHandle was polled twice while its task ran, each time with a new waker "
           "(as when the handle moves to another task); when the task finished, the waker of "
           "the latest poll was not woken. The handle must keep the latest waker.")


@pytest.mark.hint("join_latest_waker")
def test_join_handle_awaited_by_another_task_after_a_first_poll() -> None:
    leaf = ScriptedFuture("passed on", pending=None, name="the worker's leaf future",
                          misuse_hint="double_schedule")

    async def worker() -> str:
        return await leaf

    async def root() -> str:
        handle = stage.spawn(worker())
        await yield_once()  # the worker: Pending on its leaf
        # Someone polls the handle once (a select! that gave up on it, say), then the root
        # awaits it: the root's waker is the one that must be woken.
        expect(poll_once(handle, SpyWaker("an earlier poller's waker")) is Pending,
               "join_never_woken", "The JoinHandle of an unfinished task was Ready.")
        stage.spawn(completer())
        return await handle

    async def completer() -> None:
        leaf.complete()

    try:
        out = run(root(), "join_latest_waker")
    except stage.Deadlock:
        fail("join_latest_waker",
             "A JoinHandle was polled once with one waker, then awaited by the root (a new "
             "waker). The task finished, but the root was never woken (Deadlock): the handle "
             "woke the waker of its first poll, not of its latest.")
    expect(out == "passed on", "join_latest_waker",
           f"Awaiting the JoinHandle after an earlier poll gave {out!r}.")


# --- errors ----------------------------------------------------------------------------

@pytest.mark.hint("exception_lost")
def test_exception_reaches_the_join_handle() -> None:
    leaf = ScriptedFuture(pending=None, name="the failing task's leaf future",
                          misuse_hint="double_schedule")
    boom = ValueError("boom from the task")

    async def failing() -> None:
        await leaf  # Pending first: the task raises on a later poll
        raise boom

    async def fine() -> str:
        return "fine"

    async def root() -> tuple[str, Any, Any]:
        bad = stage.spawn(failing())
        good = stage.spawn(fine())
        await yield_once()  # both tasks polled once
        leaf.complete()
        try:
            value = await bad
        except Exception as error:  # whatever the handle raised is the symptom under test
            return ("raised", error, await good)
        return ("returned", value, None)

    try:
        out = run(root(), "exception_lost")
    except ValueError:
        fail("exception_lost",
             "A spawned task raised ValueError; it escaped from block_on instead of being "
             "kept for the task's JoinHandle (one failing task stopped the whole executor).")
    except stage.Deadlock:
        fail("exception_lost",
             "A spawned task raised ValueError; the root awaiting its JoinHandle was never "
             "woken (Deadlock): the exception was lost.")
    expect(out[0] == "raised", "exception_lost",
           f"A spawned task raised ValueError('boom from the task'), but awaiting its JoinHandle returned "
           f"{out[1]!r} instead of raising it.")
    if out[1] is not boom and not made_from(out[1], boom):
        raise out[1]  # not this symptom: shown as itself
    expect(out[1] is boom, "exception_lost",
           "A spawned task raised ValueError('boom from the task'); awaiting its JoinHandle raised "
           f"{type(out[1]).__name__}({out[1]}) instead of that very exception.")
    expect(out[2] == "fine", "exception_lost",
           f"Another task that returned 'fine' gave {out[2]!r} after the first one raised.")


@pytest.mark.hint("exception_lost")
def test_exception_on_the_first_poll_reaches_the_join_handle() -> None:
    boom = KeyError("at once")

    class Failing(Future[None]):
        def poll(self, cx: Context) -> Poll[None]:
            raise boom

    async def root() -> tuple[str, Any]:
        handle = stage.spawn(Failing())
        try:
            value = await handle  # awaited before the task ran: the wake path
        except Exception as error:
            return ("raised", error)
        return ("returned", value)

    try:
        kind, got = run(root(), "exception_lost")
    except KeyError:
        fail("exception_lost",
             "A task's first poll raised KeyError; it escaped from block_on instead of being "
             "kept for the task's JoinHandle.")
    except stage.Deadlock:
        fail("exception_lost",
             "A task's first poll raised KeyError; the root awaiting its JoinHandle was never "
             "woken (Deadlock).")
    if kind == "raised" and got is not boom and not made_from(got, boom):
        raise got  # not this symptom: shown as itself
    expect(kind == "raised" and got is boom, "exception_lost",
           "A task's first poll raised KeyError('at once'); awaiting its JoinHandle "
           f"{'raised ' + type(got).__name__ if kind == 'raised' else 'returned'} {got!r} "
           "instead of raising that very exception.")


@pytest.mark.hint("exception_lost")
def test_exception_from_the_root_comes_out_of_block_on_unchanged() -> None:
    boom = LookupError("from the root")

    async def child() -> None:
        raise ValueError("the task's own error")

    async def root() -> None:
        handle = stage.spawn(child())
        try:
            await handle
        except ValueError:
            pass
        raise boom

    try:
        out = run(root(), "exception_lost")
    except Exception as error:
        if error is boom:
            return
        if not made_from(error, boom):
            raise  # not this symptom: shown as itself
        fail("exception_lost",
             f"The root raised LookupError('from the root'); block_on raised "
             f"{type(error).__name__}({error}) instead of that very exception.")
    fail("exception_lost", f"The root raised LookupError; block_on returned {out!r}.")


@pytest.mark.hint("join_state_first")
def test_join_waker_is_woken_after_the_error_is_stored() -> None:
    boom = ValueError("raised by the task")

    async def child() -> None:
        raise boom

    async def root() -> str:
        handle = stage.spawn(child())
        inline = InlineTask(Caught(handle), name="the handle's awaiter")
        expect(inline.poll() is Pending, "join_never_woken",
               "The JoinHandle of a task that had not run yet was Ready.")
        await yield_once()  # the task runs, raises, and wakes the awaiter
        expect(inline.done and inline.value == ("raised", boom), "join_state_first",
               "A task raised ValueError and woke its JoinHandle's awaiter; that awaiter "
               f"polled the handle right inside wake(), and {inline_outcome(inline)}. The "
               "task must be finished, its exception stored, before it wakes anyone.")
        return "ok"

    run(root(), "join_state_first")


# --- one queue entry per task ----------------------------------------------------------

@pytest.mark.hint("double_schedule")
def test_many_wakes_one_poll() -> None:
    leaf = ScriptedFuture("done", pending=None, name="the task's leaf future",
                          misuse_hint="double_schedule")

    async def child() -> str:
        return await leaf

    async def root() -> tuple[int, str]:
        handle = stage.spawn(child())
        await yield_once()  # child polled once: Pending, the leaf keeps its waker
        leaf.wake()
        leaf.wake()
        leaf.wake()  # three wakes before it runs again
        await yield_once()
        polls = leaf.polls
        leaf.complete()
        return polls, await handle

    polls, out = run(root(), "double_schedule")
    expect(polls >= 2, "wake_while_running",
           "A Pending task was woken 3 times, then the root yielded; the task was not polled "
           "again: the wakes were lost.")
    expect(polls == 2, "double_schedule",
           f"A Pending task was woken 3 times before the executor got to it; it should then be "
           f"polled once (2 polls in all), but it was polled {polls} times: it sat in the run "
           "queue once per wake.")
    expect(out == "done", "double_schedule", f"The task's JoinHandle gave {out!r}.")


@pytest.mark.hint("double_schedule")
def test_waking_a_finished_task_does_nothing() -> None:
    leaf = ScriptedFuture("done", pending=1, name="the task's leaf future",
                          misuse_hint="double_schedule")

    async def child() -> str:
        return await leaf

    async def root() -> str:
        handle = stage.spawn(child())
        await yield_once()  # child: Pending
        leaf.wake()
        await yield_once()  # child: Ready, finished
        expect(handle.is_finished(), "double_schedule", "The task should have finished.")
        assert leaf.waker is not None
        leaf.waker.wake()  # a late wake through a waker someone kept
        leaf.waker.wake()
        await yield_once()
        return await handle

    out = run(root(), "double_schedule")
    expect(out == "done", "double_schedule", f"The task's JoinHandle gave {out!r}.")


# --- a wake during the task's own poll -------------------------------------------------

class Logged(Future[None]):
    """Pending `times` times, waking itself during each of those polls; logs every poll."""

    def __init__(self, name: str, times: int, log: list[str]) -> None:
        self.name, self.left, self.log = name, times, log

    def poll(self, cx: Context) -> Poll[None]:
        self.log.append(self.name)
        if self.left == 0:
            return Ready(None)
        self.left -= 1
        cx.waker.wake()  # woken while it is being polled
        return Pending


@pytest.mark.hint("wake_while_running")
def test_task_woken_during_its_own_poll_is_polled_again() -> None:
    log: list[str] = []

    async def root() -> None:
        await stage.spawn(Logged("A", 2, log))

    try:
        run(root(), "wake_while_running")
    except stage.Deadlock:
        fail("wake_while_running",
             f"A task woke itself during its own poll and returned Pending (like yield_now); it "
             f"was never polled again (polls: {len(log)}) and block_on raised Deadlock.")
    expect(log == ["A", "A", "A"], "wake_while_running",
           f"A task that wakes itself during 2 polls should be polled 3 times; it was polled "
           f"{len(log)} times.")


@pytest.mark.hint("wake_while_running")
def test_self_woken_task_goes_behind_the_queued_ones() -> None:
    log: list[str] = []

    async def root() -> None:
        a = stage.spawn(Logged("A", 1, log))
        b = stage.spawn(Logged("B", 0, log))
        await a
        await b

    run(root(), "wake_while_running")
    expect(log == ["A", "B", "A"], "wake_while_running",
           f"Tasks A (woke itself once) and B were polled in the order {log}; a task woken "
           "during its poll goes to the back of the queue: A, B, A.")


# --- abort, shutdown, release ----------------------------------------------------------

@pytest.mark.hint("abort")
def test_abort_drops_the_task_once() -> None:
    leaf = ScriptedFuture(pending=None, name="the aborted task's leaf future",
                          misuse_hint="abort")
    cleanup: list[str] = []

    async def child() -> None:
        try:
            await leaf
        finally:
            cleanup.append("finally")

    async def root() -> str:
        handle = stage.spawn(child())
        await yield_once()  # child: Pending on the leaf
        handle.abort()
        handle.abort()  # a second abort does nothing
        leaf.wake()  # a wake after abort does nothing
        try:
            await handle
        except stage.Cancelled:
            return "cancelled"
        return "returned"

    out = run(root(), "abort")
    expect(leaf.drops == 1, "abort",
           f"After abort() (called twice) the task's future was dropped {leaf.drops} times; "
           "it must be dropped exactly once.")
    expect(cleanup == ["finally"], "abort",
           "abort() did not close the task's coroutine: its `finally:` block never ran.")
    expect(out == "cancelled", "abort",
           "Awaiting the JoinHandle of an aborted task must raise Cancelled "
           f"(Rust: JoinError::Cancelled); it {out}.")


@pytest.mark.hint("abort")
def test_abort_of_a_queued_task_and_of_a_finished_one() -> None:
    polled: list[str] = []

    async def never_runs() -> None:
        polled.append("never_runs")

    async def quick() -> str:
        return "quick"

    async def root() -> str:
        queued = stage.spawn(never_runs())
        queued.abort()  # still in the run queue: it must never be polled
        done = stage.spawn(quick())
        await yield_once()
        done.abort()  # already finished: nothing to do
        try:
            return await done
        except stage.Cancelled:
            return "Cancelled raised"

    out = run(root(), "abort")
    expect(polled == [], "abort", "A task aborted while it waited in the run queue was polled.")
    expect(out == "quick", "abort",
           "abort() on a task that had already finished changed its result: awaiting its "
           f"JoinHandle gave {out!r} instead of 'quick'.")


@pytest.mark.hint("abort_wake")
def test_abort_wakes_whoever_awaits_the_handle() -> None:
    leaf = ScriptedFuture(pending=None, name="the victim's leaf future", misuse_hint="abort")

    async def victim() -> None:
        await leaf

    async def root() -> str:
        handle = stage.spawn(victim())
        stage.spawn(aborter(handle))
        try:
            await handle  # Pending: the victim waits on its leaf; then another task aborts it
        except stage.Cancelled:
            return "cancelled"
        return "returned"

    async def aborter(handle: Any) -> None:
        await yield_once("the aborting task's yield_now()")  # the root is awaiting by now
        handle.abort()

    try:
        out = run(root(), "abort_wake")
    except stage.Deadlock:
        fail("abort_wake",
             "The root was awaiting a task's JoinHandle when another task aborted that task; "
             "the root was never woken (Deadlock). abort() finishes the task: whoever awaits "
             "its handle must be woken to see Cancelled.")
    expect(out == "cancelled", "abort",
           f"Awaiting the JoinHandle of a task aborted meanwhile {out} instead of raising "
           "Cancelled.")
    expect(leaf.drops == 1, "abort",
           f"The aborted task's future was dropped {leaf.drops} times, not once.")


@pytest.mark.hint("join_state_first")
def test_abort_wakes_the_awaiter_after_the_task_is_cancelled() -> None:
    leaf = ScriptedFuture(pending=None, name="the victim's leaf future", misuse_hint="abort")

    async def victim() -> None:
        await leaf

    async def root() -> str:
        handle = stage.spawn(victim())
        await yield_once()  # the victim: Pending on its leaf
        inline = InlineTask(Caught(handle), name="the handle's awaiter")
        expect(inline.poll() is Pending, "join_never_woken",
               "The JoinHandle of an unfinished task was Ready.")
        handle.abort()
        got = inline.value[1] if inline.done else None
        expect(inline.done and isinstance(got, stage.Cancelled), "join_state_first",
               "A task was aborted while someone awaited its JoinHandle; that awaiter polled "
               f"the handle right inside wake(), and {inline_outcome(inline)}. The task must "
               "be finished as cancelled before abort() wakes anyone.")
        return "ok"

    run(root(), "join_state_first")


@pytest.mark.hint("abort")
def test_aborted_task_is_not_dropped_again_at_shutdown() -> None:
    log: list[str] = []
    victim = Recorder("victim", log)

    async def root() -> int:
        handle = stage.spawn(victim)
        await yield_once()  # the victim: Pending
        handle.abort()
        return log.count("drop victim")

    by_abort = run(root(), "abort")
    drops = log.count("drop victim")
    expect(by_abort == 1, "abort",
           f"abort() of a waiting task dropped its future {by_abort} times; exactly once.")
    expect(drops == 1, "abort",
           f"A task was aborted (its future dropped once), then the root finished; at "
           f"shutdown the aborted task's future was dropped again ({drops} drops in all). An "
           "aborted task is finished: shutdown drops only the unfinished ones.")


@pytest.mark.hint("abort")
def test_dropping_the_handle_does_not_cancel_the_task() -> None:
    leaf = ScriptedFuture("done", pending=1, self_wake=True, name="the task's leaf future",
                          misuse_hint="abort")
    finished: list[str] = []

    async def child() -> None:
        await leaf
        finished.append("child")

    async def root() -> None:
        handle = stage.spawn(child())
        await yield_once()  # the task: Pending (it woke itself)
        handle.drop()  # Rust: `drop(handle)` detaches the task
        del handle
        await yield_once()
        await yield_once()

    run(root(), "abort")
    expect(finished == ["child"] and not leaf.dropped, "abort",
           "The root dropped a JoinHandle (handle.drop()) while its task ran; the task "
           f"{'finished' if finished else 'never finished'} and its future was dropped "
           f"{leaf.drops} times. Dropping a handle detaches the task: only abort() cancels.")


@pytest.mark.hint("shutdown")
def test_root_finishing_drops_unfinished_tasks() -> None:
    waiting = ScriptedFuture(pending=None, name="a waiting task's leaf future",
                             misuse_hint="shutdown")
    never = ScriptedFuture(pending=None, name="a never-polled task's future",
                           misuse_hint="shutdown")
    cleanup: list[str] = []

    async def child() -> None:
        try:
            await waiting
        finally:
            cleanup.append("finally")

    async def root() -> str:
        stage.spawn(child())
        await yield_once()  # child: Pending
        stage.spawn(never)  # queued, never polled: the root finishes first
        return "root done"

    try:
        out = run(root(), "shutdown")
    except RuntimeError as error:  # "dictionary changed size during iteration": as itself else
        if "changed size during iteration" not in str(error):
            raise
        fail("shutdown", "The root finished with 2 unfinished tasks; while block_on dropped "
                         f"them it raised {raised(error)}: the collection of unfinished tasks "
                         "changed while a loop walked it (each drop removes a task from it).")
    expect(out == "root done", "shutdown", f"block_on returned {out!r}.")
    expect((waiting.drops, never.drops) == (1, 1), "shutdown",
           f"When the root finished, two tasks were unfinished; their futures were dropped "
           f"{waiting.drops} and {never.drops} times. This executor's rule (like tokio's "
           "runtime shutdown): each unfinished task is dropped exactly once.")
    expect(cleanup == ["finally"], "shutdown",
           "At shutdown the waiting task's coroutine was not closed: its `finally:` never ran.")
    expect(never.polls == 0, "shutdown", "A task still queued when the root finished was polled.")


@pytest.mark.hint("shutdown")
def test_root_raising_also_drops_tasks() -> None:
    leaf = ScriptedFuture(pending=None, name="a waiting task's leaf future",
                          misuse_hint="shutdown")

    async def root() -> None:
        stage.spawn(leaf)
        await yield_once()
        raise KeyError("root failed")

    try:
        run(root(), "shutdown")
    except KeyError:
        pass
    else:
        fail("shutdown", "The root raised KeyError, but block_on did not raise it.")
    expect(leaf.drops == 1, "shutdown",
           f"The root raised; the unfinished task's future was dropped {leaf.drops} times, "
           "not once.")


@pytest.mark.hint("shutdown")
def test_shutdown_drops_unfinished_tasks_in_spawn_order() -> None:
    log: list[str] = []
    tasks = [Recorder(f"T{i}", log) for i in range(5)]

    async def root() -> str:
        for task in tasks[:3]:
            stage.spawn(task)
        await yield_once()  # T0, T1, T2 polled: Pending, waiting
        tasks[2].wake()
        tasks[0].wake()  # queued now, in the order T2, T0; T1 stays waiting
        stage.spawn(tasks[3])
        stage.spawn(tasks[4])  # queued behind them, never polled
        return "root done"

    out = run(root(), "shutdown")
    expect(out == "root done", "shutdown", f"block_on returned {out!r}.")
    drops = [entry.removeprefix("drop ") for entry in log if entry.startswith("drop ")]
    expect(drops == ["T0", "T1", "T2", "T3", "T4"], "shutdown",
           "The root finished with 5 unfinished tasks, spawned in the order T0..T4 (T2 and T0 "
           "were woken again, in that order; T3 and T4 had never run). They were dropped in "
           f"the order {drops}; this executor's rule is spawn order, each exactly once.")


@pytest.mark.hint("release_finished")
def test_finished_future_is_released() -> None:
    class Resource:
        pass

    refs: list[weakref.ref[Any]] = []

    class Holding(Future[str]):
        def __init__(self) -> None:
            self.resource = Resource()
            refs.append(weakref.ref(self.resource))

        def poll(self, cx: Context) -> Poll[str]:
            return Ready("value")

    async def root() -> Any:
        handle = stage.spawn(Holding())
        await yield_once()
        return handle  # the handle lives on, the future should not

    handle = run(root(), "release_finished")
    gc.collect()  # a cycle would be freed here; keep the test about the executor's own refs
    expect(refs[0]() is None, "release_finished",
           "A task finished, but its future (and the resource it held) is still alive while "
           "its JoinHandle is: the task kept the finished future.")
    del handle


@pytest.mark.hint("release_finished")
def test_executor_forgets_a_finished_task_nobody_awaits() -> None:
    class Output:
        pass

    refs: list[weakref.ref[Any]] = []

    async def child() -> Output:
        output = Output()
        refs.append(weakref.ref(output))
        return output

    async def other() -> None:
        return None

    async def root() -> bool:
        stage.spawn(child())  # the JoinHandle is dropped at once: nobody will read the output
        await yield_once()  # the task runs and finishes
        stage.spawn(other())  # (the executor may lend its Context to the task it polls last)
        await yield_once()
        gc.collect()
        return refs[0]() is None

    released = run(root(), "release_finished")
    expect(released, "release_finished",
           "A task finished and nobody held its JoinHandle, but its output was still alive "
           "while block_on ran on: the executor keeps finished tasks (its list of unfinished "
           "tasks should forget a task when it finishes).")


@pytest.mark.hint("release_finished")
def test_aborted_future_is_released() -> None:
    class Holding(Future[None]):
        def poll(self, cx: Context) -> Poll[None]:
            self.waker = cx.waker
            return Pending

    refs: list[weakref.ref[Any]] = []

    async def root() -> bool:
        future = Holding()
        refs.append(weakref.ref(future))
        handle = stage.spawn(future)
        del future
        await yield_once()  # the task: Pending
        handle.abort()
        gc.collect()
        return refs[0]() is None  # the handle is still alive here

    released = run(root(), "release_finished")
    expect(released, "release_finished",
           "A task was aborted, but its future stayed alive as long as its JoinHandle: an "
           "aborted task keeps nothing but its result (Cancelled).")


@pytest.mark.hint("stuck")
def test_nothing_can_wake_the_root_is_an_error() -> None:
    leaf = ScriptedFuture(pending=None, name="a leaf nobody completes",
                          misuse_hint="double_schedule")

    async def root() -> None:
        await stage.spawn(leaf)

    try:
        run(root(), "stuck")
    except stage.Deadlock as error:
        expect(str(error), "stuck", "Deadlock was raised without a message.")
        return
    fail("stuck", "The root waited on a task that waited on a future nobody completes; "
                  "block_on returned instead of raising Deadlock.")


# --- the root's turn --------------------------------------------------------------------

class Spinner(Future[str]):
    """Wakes itself on every poll and stays Pending (a task yield-looping for ever), up to
    `limit` polls: then it gives up with Ready, so a starving executor still ends."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.polls = 0

    def poll(self, cx: Context) -> Poll[str]:
        self.polls += 1
        if self.polls >= self.limit:
            return Ready("gave up")
        cx.waker.wake()
        return Pending


@pytest.mark.hint("root_starved")
def test_a_task_that_keeps_waking_itself_cannot_starve_the_root() -> None:
    spinner = Spinner(limit=500)

    async def root() -> list[int]:
        stage.spawn(spinner)
        seen = []
        for _ in range(3):
            await yield_once()  # the root is woken at once, every time
            seen.append(spinner.polls)
        return seen

    seen = run(root(), "root_starved")
    between = [b - a for a, b in zip([0, *seen], seen, strict=False)]
    expect(all(n <= 1 for n in between), "root_starved",
           "A task woke itself on every poll (a yield loop), and the root woke itself too; "
           f"between the root's polls the task was polled {between} times (after the test's "
           f"task gave up at {spinner.limit} polls). Once the root is woken it must get its "
           "turn before any task is polled a second time: a round runs only the tasks "
           "queued when it starts.")


@pytest.mark.hint("root_polled_unwoken")
def test_root_is_polled_only_when_woken() -> None:
    leaf = ScriptedFuture("leaf done", pending=None, name="the root's leaf future",
                          misuse_hint="double_schedule")

    async def busy() -> None:
        for _ in range(3):
            await yield_once("a task's yield_now()")
        leaf.complete()  # wakes the root

    async def body() -> str:
        stage.spawn(busy())
        return await leaf

    root = CountingRoot(body())
    out = run(root, "root_polled_unwoken")
    expect(out == "leaf done", "root_polled_unwoken", f"block_on returned {out!r}.")
    expect(root.polls == 2, "root_polled_unwoken",
           "The root waited on a leaf future while a task ran 4 rounds, then completed the "
           f"leaf (one wake of the root). The root was polled {root.polls} times (expected 2: "
           "the first poll and the one after its wake): block_on polls the root without a wake.")


# --- block_on's own rules ----------------------------------------------------------------

@pytest.mark.hint("nested_block_on")
def test_block_on_inside_block_on_raises() -> None:
    async def inner() -> str:
        return "inner"

    async def root() -> str:
        coro = inner()
        try:
            value = stage.block_on(coro)
        except stage.Deadlock:
            raise
        except RuntimeError:
            return "refused"
        finally:
            coro.close()
        return f"returned {value!r}"

    out = run(root(), "nested_block_on")
    expect(out == "refused", "nested_block_on",
           "The root called block_on() while block_on() was polling it, on the same thread; "
           f"the inner call {out} instead of raising RuntimeError (the outer executor would "
           "be blocked meanwhile, and the inner one took over spawn()).")


@pytest.mark.hint("executor_reset")
def test_block_on_after_a_root_that_raised() -> None:
    async def failing() -> None:
        stage.spawn(child())
        raise KeyError("root failed")

    async def child() -> str:
        return "child"

    async def fine() -> str:
        return await stage.spawn(child())

    def body() -> list[str]:
        seen = []
        try:
            stage.block_on(failing())
        except KeyError:
            seen.append("KeyError")
        coro = child()
        try:
            stage.spawn(coro)
            seen.append("spawn() outside block_on returned")
        except RuntimeError:
            seen.append("spawn() outside block_on raised RuntimeError")
        finally:
            coro.close()
        try:
            seen.append(stage.block_on(fine()))
        except RuntimeError as error:
            seen.append(f"the next block_on raised {type(error).__name__}: {error}")
        return seen

    seen = watchdog(body, seconds=LIMIT, hint="executor_reset",
                    message="block_on after a block_on whose root raised never returned")
    expect(seen == ["KeyError", "spawn() outside block_on raised RuntimeError", "child"],
           "executor_reset",
           "On one thread: block_on(a root that raised KeyError), then spawn() outside any "
           "block_on, then block_on(a root awaiting a spawned task). What happened: "
           f"{'; '.join(seen)}. However block_on ends, this thread must be left with no "
           "executor running.")


# --- random wake patterns --------------------------------------------------------------

class Probe(Future[int]):
    """Task i's leaf: Pending until released; records misuse by the executor."""

    def __init__(self, index: int, problems: list[tuple[str, str]]) -> None:
        self.index = index
        self.problems = problems
        self.waker: Any = None
        self.woken = True  # the spawn itself is the first wake
        self.released = False
        self.done = False
        self.polls = 0
        self.on_next_poll: list[Callable[[], None]] = []

    def poll(self, cx: Context) -> Poll[int]:
        self.polls += 1
        if self.done:
            self.problems.append(("double_schedule",
                                  f"task {self.index} was polled again after it returned Ready"))
        elif not self.woken:
            self.problems.append(("double_schedule",
                                  f"task {self.index} was polled (poll #{self.polls}) with no "
                                  "wake since its previous poll: it was queued twice"))
        self.woken = False
        self.waker = cx.waker
        actions, self.on_next_poll = self.on_next_poll, []
        for action in actions:
            action()
        if self.released:
            self.done = True
            return Ready(self.index)
        return Pending

    def wake(self) -> None:
        if self.waker is not None and not self.done:
            self.woken = True
            self.waker.wake()


STEP = st.one_of(
    st.tuples(st.just("wake"), st.integers(0, 3), st.integers(1, 3)),
    st.tuples(st.just("self"), st.integers(0, 3)),
    st.tuples(st.just("cross"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("yield")),
)


@pytest.mark.hint("double_schedule")
def test_random_wake_patterns() -> None:
    # A stub still raising TodoError fails here at once, before hypothesis shrinks anything.
    async def smoke() -> None:
        await stage.spawn(yield_once("a first task"))

    try:
        run(smoke(), "double_schedule", "a smoke test")
    except TodoError:
        raise
    except Exception:
        pass  # the property below explains what goes wrong
    watchdog(check_random_wake_patterns, seconds=3 * LIMIT, hint="wake_while_running",
             message="random wake patterns: a block_on never returned")


@seed(6062026)  # pinned: the same examples on every run, whatever the test's source
@settings(max_examples=40)
@given(n=st.integers(1, 4), steps=st.lists(STEP, max_size=10))
def check_random_wake_patterns(n: int, steps: list[tuple[Any, ...]]) -> None:
    problems: list[tuple[str, str]] = []
    probes = [Probe(i, problems) for i in range(n)]
    log = [f"root spawns {n} task(s), each awaiting a leaf future that stays Pending until "
           "released"]

    async def root() -> list[int]:
        handles = [stage.spawn(probe) for probe in probes]
        for step in steps:
            kind = step[0]
            if kind == "wake":
                i, times = step[1] % n, step[2]
                log.append(f"root wakes task {i} {times} time(s)")
                for _ in range(times):
                    probes[i].wake()
            elif kind == "self":
                i = step[1] % n
                log.append(f"task {i} will wake itself during its next poll")
                probes[i].on_next_poll.append(probes[i].wake)
            elif kind == "cross":
                i, j = step[1] % n, step[2] % n
                log.append(f"task {i} will wake task {j} during its next poll")
                probes[i].on_next_poll.append(probes[j].wake)
            else:
                log.append("root yields (queued tasks run)")
                await yield_once()
        log.append(f"root yields {n + 1} times (every woken task gets polled)")
        for _ in range(n + 1):
            await yield_once()
        lost = [p.index for p in probes if p.woken and not p.done]
        if lost:
            problems.append(("wake_while_running",
                             f"task(s) {lost} were woken and never polled again, though the "
                             f"root then yielded {n + 1} times: a wake was lost"))
            return []
        log.append("root releases every leaf, wakes every task and awaits every JoinHandle")
        for probe in probes:
            probe.released = True
            if probe.waker is not None:
                probe.woken = True
                probe.waker.wake()
        return [await handle for handle in handles]

    try:
        out = stage.block_on(root())  # the whole property runs under one watchdog
    except stage.Deadlock:
        stuck = [p.index for p in probes if not p.done]
        steps_text = "\n".join(f"  {k + 1}. {line}" for k, line in enumerate(log))
        fail("wake_while_running",
             f"block_on raised Deadlock with task(s) {stuck} unfinished, though each was woken "
             f"after its leaf was released. Steps:\n{steps_text}")
    steps_text = "\n".join(f"  {k + 1}. {line}" for k, line in enumerate(log))
    if problems:
        hint, what = problems[0]
        fail(hint, f"{what}. Steps:\n{steps_text}")
    expect(out == list(range(n)), "double_schedule",
           f"The JoinHandles gave {out}, expected {list(range(n))}. Steps:\n{steps_text}")


# --- wakes from another thread ------------------------------------------------------------

def blocking_until_parked(executor_thread: list[int], value: Any) -> Callable[[], Any]:
    """Work for spawn_blocking: wait until the executor's thread parks, then return `value`."""
    return when_parked(executor_thread, lambda: value)


@pytest.mark.hint("cross_thread_wake")
def test_a_wake_from_another_thread_reaches_a_parked_block_on() -> None:
    import threading

    executor_thread: list[int] = []

    async def body() -> Any:
        executor_thread.append(threading.get_ident())
        handle = stage.spawn(async_await(stage.spawn_blocking(blocking_until_parked(executor_thread, 0))))
        return await handle

    try:
        out = watchdog(lambda: stage.block_on(body()), seconds=LIMIT, hint="cross_thread_wake",
                       message="A spawn_blocking thread finished while block_on was parked and woke "
                               "the task waiting for it (from that other thread), but block_on "
                               "never woke up to poll it")
    except stage.Deadlock:
        fail("cross_thread_wake", "block_on raised Deadlock while a spawn_blocking thread was still "
             "running: that thread could still wake a task, so block_on must park (`_park()`), "
             "not give up.")
    expect(out == 0, "cross_thread_wake",
           f"The root awaited a task that awaited a blocking task returning 0, and got {out!r}.")


async def async_await(future: Any) -> Any:
    return await future


@pytest.mark.hint("cross_thread_wake")
def test_a_task_woken_from_another_thread_runs_while_the_executor_is_parked() -> None:
    """Only the wake itself can end the park here: the blocking thread keeps running (so
    block_on parks rather than raise Deadlock) until the woken task has run."""
    import threading

    executor_thread: list[int] = []
    flag = ThreadFlag()
    release = threading.Event()

    def keep_busy_and_wake() -> str:
        from kit.parking import wait_until_parked

        wait_until_parked(executor_thread[0])
        flag.set("woken from another thread")  # wakes the waiting task's waker, from here
        release.wait(LIMIT * 2)  # stays running until the task has run
        return "released"

    async def waiting() -> str:
        value = await flag
        release.set()
        return value

    async def body() -> tuple[str, str]:
        executor_thread.append(threading.get_ident())
        waiter = stage.spawn(waiting())
        busy = stage.spawn_blocking(keep_busy_and_wake)
        return await waiter, await busy

    try:
        out = watchdog(lambda: stage.block_on(body()), seconds=LIMIT, hint="cross_thread_wake",
                       message="A task was woken from another thread while block_on was parked; "
                               "block_on never woke up to poll it (nothing notified its condition)")
    except stage.Deadlock:
        fail("cross_thread_wake", "block_on raised Deadlock while a spawn_blocking thread was still "
             "running: that thread could still wake a task, so block_on must park, not give up.")
    expect(out == ("woken from another thread", "released"), "cross_thread_wake",
           f"The root should get both results; it got {out!r}.")


@pytest.mark.hint("cross_thread_wake")
def test_many_blocking_tasks_each_wake_their_task_once() -> None:
    import threading

    executor_thread: list[int] = []

    async def body() -> list[Any]:
        executor_thread.append(threading.get_ident())
        handles = [stage.spawn_blocking(blocking_until_parked(executor_thread, n)) for n in range(8)]
        return [await handle for handle in handles]

    out = watchdog(lambda: stage.block_on(body()), seconds=LIMIT, hint="cross_thread_wake",
                   message="Eight spawn_blocking threads finished while block_on was parked; "
                           "block_on never polled the root again")
    expect(out == list(range(8)), "cross_thread_wake",
           f"Eight blocking tasks returned 0 to 7; the root got {out!r}.")


@pytest.mark.hint("cross_thread_wake")
def test_a_blocking_tasks_exception_reaches_its_join_handle() -> None:
    def work() -> None:
        raise ValueError("from the blocking thread")

    async def body() -> str:
        try:
            await stage.spawn_blocking(work)
        except ValueError as error:
            return str(error)
        return "no exception"

    out = run(body(), "cross_thread_wake")
    expect(out == "from the blocking thread", "cross_thread_wake",
           f"A blocking task raised ValueError; awaiting its JoinHandle gave {out!r}.")
