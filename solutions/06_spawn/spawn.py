"""Stage 06: a single-threaded executor that spawns tasks (Rust: tokio's current-thread runtime).

    Rust (tokio)                              Python (this file)
    ------------                              ------------------
    Runtime::block_on(root)                   Executor().block_on(root) / block_on(root)
    tokio::spawn(fut) -> JoinHandle<T>        spawn(fut) -> JoinHandle   (inside block_on)
    handle.await -> Result<T, JoinError>      await handle -> value, or re-raises the task's error
    handle.abort()                            handle.abort()   (awaiting it then raises Cancelled)
    impl Wake for Task (Arc<Task>)            class Task(Waker): the task is its own waker

Guarantees:
- A task is in the run queue at most once, however many times it is woken before it runs.
- A task woken during its own poll is polled again, after the tasks already queued.
- The run queue is first in, first out: tasks are polled in the order they were woken
  (spawned tasks in spawn order).
- The root's turn: the root is polled only when its waker was woken, and once woken it is
  polled before any task is polled a second time (a task that wakes itself on every poll
  cannot starve it).
- A finished task is never polled again; waking it does nothing; its future is released
  as soon as it finishes (only the result stays, for the JoinHandle).
- An exception raised by a task's poll is caught (like a panic caught by tokio) and
  re-raised where its JoinHandle is awaited; other tasks keep running.
- `abort()` drops the task's future (`drop()` called exactly once) unless it already finished.
- Shutdown: when the root future finishes (or raises), every task still unfinished is
  dropped, in spawn order, like tokio dropping its tasks when the runtime shuts down.
- Root Pending, no task runnable: nothing can ever wake it (single thread, no timers yet),
  so `block_on` raises `Deadlock` instead of hanging.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Coroutine
from types import CoroutineType
from typing import Any, TypeVar

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
    """The root future is Pending and nothing can ever wake it: no task is runnable."""


class Cancelled(Exception):
    """Awaiting the JoinHandle of an aborted task (Rust: `JoinError::Cancelled`)."""


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
    """A run queue of tasks, driven by `block_on` on the current thread."""

    __slots__ = ("_cx", "_queue", "_root_woken", "_tasks")

    def __init__(self) -> None:
        self._queue: deque[Task] = deque()  # runnable tasks, each at most once
        self._tasks: dict[Task, None] = {}  # unfinished tasks, in spawn order
        self._root_woken = False
        self._cx = Context(noop_waker())  # lent to each task's poll (Task.run sets its waker)

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
                if not self._root_woken and not queue:
                    raise Deadlock("block_on: the root future is Pending and no task is "
                                   "runnable, so nothing can ever wake it (deadlock)")
        finally:
            _current.executor = None
            self._shutdown()

    def _shutdown(self) -> None:
        """Drop every unfinished task, in spawn order (tokio: runtime shutdown)."""
        while self._tasks:
            task = next(iter(self._tasks))
            task.abort()  # removes it from _tasks
        self._queue.clear()


_current = threading.local()


def spawn(future: Spawnable[T]) -> JoinHandle[T]:
    """Spawn onto the executor running on this thread (Rust: `tokio::spawn`)."""
    executor: Executor | None = getattr(_current, "executor", None)
    if executor is None:
        raise RuntimeError("spawn() called outside block_on(): there is no executor running "
                           "on this thread (Rust: \"there is no reactor running\")")
    return executor.spawn(future)


def block_on(root: Spawnable[T]) -> T:
    """Run `root` on a fresh executor (Rust: `Runtime::new().block_on(root)`)."""
    return Executor().block_on(root)
