"""Alternative: a heap with eager removal, due timers collected first and woken afterwards.

Cancel takes the entry out at once (filter + heapify); fire_expired pops every due timer
before waking any of them (tokio's WakeList); _park parks for max(0, deadline - now).

Stage 07: timers in the runtime (Rust: tokio's time driver, `tokio::time`).

    Rust (tokio)                              Python (this file)
    ------------                              ------------------
    tokio::time::sleep(dur)                   sleep(seconds)
    tokio::time::sleep_until(deadline)        sleep_until(deadline)
    tokio::time::timeout(dur, fut)            timeout(seconds, fut)   (raises Elapsed)
    Instant::now() / the runtime's clock      now() / Executor(clock=...)
    tokio::time::pause() (test-util)          a virtual clock: idle auto-advance

The executor is stage 06's, plus a timer driver (designed as described at the top).
Each round the executor fires the timers that are due; when nothing is runnable it
parks until the earliest deadline. The clock is injectable: anything with `now()` and
`park(timeout)`. The real one sleeps; a virtual one (tests) just moves its time forward,
like tokio's paused clock jumping to the next timer when the runtime is idle.

Guarantees:
- Never early: a Sleep is Ready only once `clock.now() >= deadline`.
- Due timers fire in deadline order, and in registration order (FIFO) on equal deadlines.
- Dropping a Sleep (or a Timeout) removes its entry: it wakes nobody later.
- A Sleep registers once; a re-poll only replaces the stored waker (the latest one counts).
- Parking lasts until the earliest deadline, computed after the round's polls (a task may
  have just registered an earlier timer).
- Root Pending, no task runnable, no timer set: `block_on` raises `Deadlock`, not a hang.
- Everything of stage 06 holds: one queue entry per task, JoinHandle, abort, shutdown.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import deque
from collections.abc import Coroutine
from types import CoroutineType
from typing import Any, Protocol, TypeVar

from stdtask import (
    Context,
    CoroutineFuture,
    Future,
    Pending,
    Poll,
    PolledAfterCompletion,
    Ready,
    Waker,
    into_future,
    noop_waker,
)

T = TypeVar("T")
Spawnable = Future[T] | Coroutine[Any, Any, T]  # what spawn accepts (Rust: IntoFuture)


class Deadlock(RuntimeError):
    """The root future is Pending and nothing can ever wake it: no task, no timer."""


class Cancelled(Exception):
    """Awaiting the JoinHandle of an aborted task (Rust: `JoinError::Cancelled`)."""


# --- the clock (injectable) --------------------------------------------------------------


class Clock(Protocol):
    """What the runtime needs from a clock: read the time, and wait for some of it to pass."""

    def now(self) -> float:
        """Seconds on this clock's timeline (only differences matter, like `Instant`)."""
        ...

    def park(self, timeout: float) -> None:
        """Nothing to do for `timeout` seconds: block (real clock) or jump ahead (virtual)."""
        ...


class SystemClock:
    """Real time: `time.monotonic()`; parking is `time.sleep` (tokio's default clock)."""

    __slots__ = ()

    def now(self) -> float:
        return time.monotonic()

    def park(self, timeout: float) -> None:
        time.sleep(timeout)


# --- the timer driver --------------------------------------------------------------------


class TimerEntry:
    """One registered timer: its deadline and the waker to wake (None once fired or cancelled)."""

    __slots__ = ("deadline", "waker")

    def __init__(self, deadline: float, waker: Waker) -> None:
        self.deadline = deadline
        self.waker: Waker | None = waker


class TimerDriver:
    """The runtime's timers: a min-heap of (deadline, sequence number, entry), kept exact.

    A cancelled entry is taken out of the heap at once (`list.remove` + `heapify`: simple,
    linear). Due timers are first all taken out, then woken in order (tokio's `WakeList`).
    """

    __slots__ = ("_heap", "_seq", "clock")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._heap: list[tuple[float, int, TimerEntry]] = []
        self._seq = 0

    def register(self, deadline: float, waker: Waker) -> TimerEntry:
        entry = TimerEntry(deadline, waker)
        self._seq += 1
        heapq.heappush(self._heap, (deadline, self._seq, entry))
        return entry

    def cancel(self, entry: TimerEntry) -> None:
        if entry.waker is None:
            return
        entry.waker = None
        self._heap = [item for item in self._heap if item[2] is not entry]
        heapq.heapify(self._heap)

    def next_deadline(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def fire_expired(self) -> int:
        now = self.clock.now()
        wake_list: list[Waker] = []
        while self._heap and self._heap[0][0] <= now:
            entry = heapq.heappop(self._heap)[2]
            if entry.waker is not None:
                wake_list.append(entry.waker)
                entry.waker = None
        for waker in wake_list:  # every due timer is out of the heap before any wake
            waker.wake()
        return len(wake_list)

    def __len__(self) -> int:
        return len(self._heap)


class Sleep(Future[None]):
    """Ready once the clock reaches `deadline` (Rust: `tokio::time::Sleep`)."""

    __slots__ = ("_done", "_driver", "_entry", "deadline")

    def __init__(self, driver: TimerDriver, deadline: float) -> None:
        self._driver = driver
        self.deadline = deadline
        self._entry: TimerEntry | None = None
        self._done = False

    def poll(self, cx: Context) -> Poll[None]:
        if self._done:
            raise PolledAfterCompletion("Sleep polled after it returned Ready")
        now = self._driver.clock.now()
        if now >= self.deadline:
            self._done = True
            self.drop()
            return Ready(None)
        if self._entry is None:
            self._entry = self._driver.register(self.deadline, cx.waker)
        elif self._entry.waker is not None and not self._entry.waker.will_wake(cx.waker):
            self._entry.waker = cx.waker
        return Pending

    def drop(self) -> None:
        if self._entry is not None:
            self._driver.cancel(self._entry)
            self._entry = None


class Elapsed(TimeoutError):
    """The deadline of a `timeout` passed first (Rust: `tokio::time::error::Elapsed`)."""


class Timeout(Future[T]):
    """The inner future's output, or `Elapsed` at the deadline (Rust: `tokio::time::Timeout`)."""

    __slots__ = ("_done", "_inner", "_sleep")

    def __init__(self, inner: Future[T], sleep: Sleep) -> None:
        self._inner = inner
        self._sleep = sleep
        self._done = False

    def poll(self, cx: Context) -> Poll[T]:
        if self._done:
            raise PolledAfterCompletion("Timeout polled after it finished")
        try:
            result = self._inner.poll(cx)
        except BaseException:
            self.drop_sleep()
            raise
        if result is Pending:
            if self._sleep.poll(cx) is Pending:
                return Pending
            self._done = True
            self._inner.drop()
            raise Elapsed(f"deadline has elapsed ({self._sleep.deadline:g})")
        self.drop_sleep()
        return result

    def drop_sleep(self) -> None:
        self._done = True
        self._sleep.drop()

    def drop(self) -> None:
        if not self._done:
            self.drop_sleep()
            self._inner.drop()


# --- the executor (stage 06's reference) ---------------------------------------------------


class Task(Waker):
    """One spawned future, and its own waker (Rust: `impl Wake for Task`, `Waker::from(Arc<Task>)`).

    Rust's task is an `Arc<Task>`: the queue, every waker and the JoinHandle share it.
    Here the task object plays all three roles. A task has no Context of its own: the
    executor lends one Context to every poll, pointed at the task it polls (Rust builds a
    `Context<'_>` for each poll; it cannot outlive the poll, so no future keeps it). One
    object fewer per task, and no task -> Context -> task cycle for the garbage collector.
    """

    __slots__ = ("_error", "_executor", "_future", "_join_waker", "_output", "_scheduled")

    def __init__(self, future: Future[Any], executor: Executor) -> None:
        super().__init__()
        self._future: Future[Any] | None = future  # None once finished or aborted
        self._executor = executor
        self._scheduled = False  # in the run queue right now?
        self._output: Any = None
        self._error: BaseException | None = None
        self._join_waker: Waker | None = None  # whoever awaits the JoinHandle

    def wake(self) -> None:
        # Rust: `fn wake(self: Arc<Self>) { queue.push(self) }`, but at most once:
        # a task that is already queued will be polled anyway, a finished one never again.
        if self._scheduled or self._future is None:
            return
        self._scheduled = True
        self._executor._queue.append(self)

    def run(self) -> None:
        """Poll the task once (the executor popped it from the queue)."""
        future = self._future
        if future is None:  # aborted while it waited in the queue
            return
        cx = self._executor._cx
        cx.waker = self  # this poll's Context: waking it queues this task
        self._scheduled = False  # from here on a wake (even one during this poll) queues it again
        try:
            result = future.poll(cx)
        except Exception as error:  # a panic: caught, and handed to the JoinHandle
            self._finish(None, error)
            return
        if result is not Pending:
            self._finish(result.value, None)  # type: ignore[union-attr]

    def abort(self) -> None:
        """Drop the future now (Rust: `JoinHandle::abort`); nothing if already finished."""
        future = self._future
        if future is None:
            return
        self._finish(None, Cancelled("the task was aborted"))
        future.drop()  # Rust's Drop of an unfinished future: exactly once

    def _finish(self, output: Any, error: BaseException | None) -> None:
        self._future = None  # release the future (and whatever it holds) right away
        self._output, self._error = output, error
        self._executor._tasks.pop(self, None)
        waker, self._join_waker = self._join_waker, None
        if waker is not None:
            waker.wake()  # the JoinHandle's awaiter can now read the result

    @property
    def finished(self) -> bool:
        return self._future is None

    def __repr__(self) -> str:
        return f"<Task {'finished' if self._future is None else self._future!r}>"


class JoinHandle(Future[T]):
    """Await the task's output (Rust: `tokio::task::JoinHandle<T>`).

    - Ready(output) once the task finished; re-raises the task's exception if it raised;
      raises `Cancelled` if it was aborted.
    - Pending until then, after storing the latest waker: the task wakes it when it finishes.
    - Dropping (or never awaiting) the handle does not cancel the task; `abort()` does.
    """

    __slots__ = ("_taken", "_task")

    def __init__(self, task: Task) -> None:
        self._task = task
        self._taken = False

    def poll(self, cx: Context) -> Poll[T]:
        if self._taken:
            raise PolledAfterCompletion("JoinHandle polled after it returned Ready")
        task = self._task
        if task._future is not None:
            task._join_waker = cx.waker  # the latest waker: woken in Task._finish
            return Pending
        self._taken = True
        if task._error is not None:
            raise task._error
        return Ready(task._output)  # type: ignore[arg-type]

    def drop(self) -> None:
        self._task._join_waker = None  # detach: the task runs on, nobody waits for it

    def abort(self) -> None:
        self._task.abort()

    def is_finished(self) -> bool:
        return self._task._future is None


class _RootWaker(Waker):
    """The root future's waker: sets a flag; block_on polls the root when it is set."""

    __slots__ = ("_executor",)

    def __init__(self, executor: Executor) -> None:
        super().__init__()
        self._executor = executor

    def wake(self) -> None:
        self._executor._root_woken = True


class Executor:
    """A run queue of tasks and a timer driver, driven by `block_on` on the current thread."""

    __slots__ = ("_cx", "_queue", "_root_woken", "_tasks", "clock", "timers")

    def __init__(self, clock: Clock | None = None) -> None:
        self._queue: deque[Task] = deque()  # runnable tasks, each at most once
        self._tasks: dict[Task, None] = {}  # unfinished tasks, in spawn order
        self._root_woken = False
        self._cx = Context(noop_waker())  # lent to each task's poll (Task.run sets its waker)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.timers = TimerDriver(self.clock)  # timer part (stage 07)

    def spawn(self, future: Spawnable[T]) -> JoinHandle[T]:
        """Start running `future` as a task; it runs while `block_on` runs."""
        # `into_future`, with a fast path for the common case (an ABC isinstance check is slow)
        fut = CoroutineFuture(future) if type(future) is CoroutineType else into_future(future)
        task = Task(fut, self)
        self._tasks[task] = None
        task.wake()  # a new task is runnable
        return JoinHandle(task)

    def block_on(self, root: Spawnable[T]) -> T:
        """Run `root` and every spawned task until `root` finishes; return its output."""
        if getattr(_current, "executor", None) is not None:
            raise RuntimeError("block_on() called inside block_on(): the outer executor "
                               "would be blocked (Rust: \"Cannot start a runtime from within "
                               "a runtime\")")
        future = into_future(root)
        cx = Context(_RootWaker(self))
        queue = self._queue
        self._root_woken = True
        _current.executor = self  # spawn() finds us here (Rust: a thread-local CONTEXT)
        try:
            while True:
                if self._root_woken:
                    self._root_woken = False
                    result = future.poll(cx)
                    if result is not Pending:
                        return result.value  # type: ignore[union-attr]
                # One round: the tasks queued now. Tasks woken during the round (or spawned)
                # are appended behind and run next round, after the root had its turn.
                for _ in range(len(queue)):
                    queue.popleft().run()
                self.timers.fire_expired()  # timer part: wake the sleepers that are due
                if not self._root_woken and not queue:
                    self._park()  # timer part: nothing runnable, sleep until the next deadline
        finally:
            _current.executor = None
            self._shutdown()

    def _park(self) -> None:
        """Nothing is runnable: park until the earliest deadline, then fire what is due."""
        deadline = self.timers.next_deadline()
        if deadline is None:
            raise Deadlock("the root is Pending, no task is runnable, no timer is set")
        self.clock.park(max(0.0, deadline - self.clock.now()))  # never negative
        self.timers.fire_expired()

    def _shutdown(self) -> None:
        """Drop every unfinished task, in spawn order (tokio: runtime shutdown)."""
        while self._tasks:
            task = next(iter(self._tasks))
            task.abort()  # removes it from _tasks
        self._queue.clear()


_current = threading.local()


def _runtime() -> Executor:
    """The executor running on this thread (Rust: tokio's thread-local runtime handle)."""
    executor: Executor | None = getattr(_current, "executor", None)
    if executor is None:
        raise RuntimeError("called outside block_on(): there is no executor running on this "
                           "thread (Rust: \"there is no reactor running\")")
    return executor


def spawn(future: Spawnable[T]) -> JoinHandle[T]:
    """Spawn onto the executor running on this thread (Rust: `tokio::spawn`)."""
    return _runtime().spawn(future)


def block_on(root: Spawnable[T], *, clock: Clock | None = None) -> T:
    """Run `root` on a fresh executor (Rust: `Runtime::new().block_on(root)`)."""
    return Executor(clock).block_on(root)


def now() -> float:
    """The running executor's clock (Rust: `tokio::time::Instant::now()`)."""
    return _runtime().clock.now()


def sleep_until(deadline: float) -> Sleep:
    """A Sleep on the running executor's timers (Rust: `tokio::time::sleep_until`)."""
    return Sleep(_runtime().timers, deadline)


def sleep(seconds: float) -> Sleep:
    """Sleep for `seconds` from now (Rust: `tokio::time::sleep`)."""
    runtime = _runtime()
    return Sleep(runtime.timers, runtime.clock.now() + seconds)


def timeout(seconds: float, future: Spawnable[T]) -> Timeout[T]:
    """`future`'s output, or `Elapsed` after `seconds` (Rust: `tokio::time::timeout`)."""
    runtime = _runtime()
    return Timeout(into_future(future), Sleep(runtime.timers, runtime.clock.now() + seconds))
