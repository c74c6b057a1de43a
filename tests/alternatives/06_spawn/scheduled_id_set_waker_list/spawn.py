"""A set of scheduled task ids beside the deque, and a JoinHandle that wakes a list of wakers.

Stage 06 written another way the stub allows: "already queued" is membership of the task's
id in the executor's `scheduled` set (removed just before the poll); the JoinHandle keeps
every distinct waker it was polled with and wakes them all when the task finishes (extra,
harmless wakes: the latest waker is among them); shutdown walks a snapshot of the tasks.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from stdtask import (
    Context,
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
Spawnable = Future[T] | Coroutine[Any, Any, T]


class Deadlock(RuntimeError):
    """The root future is Pending and nothing can ever wake it: no task is runnable."""


class Cancelled(Exception):
    """Awaiting the JoinHandle of an aborted task (Rust: `JoinError::Cancelled`)."""


class Task(Waker):
    """One spawned future, and its own waker."""

    def __init__(self, future: Future[Any], executor: Executor) -> None:
        super().__init__()
        self._future: Future[Any] | None = future
        self._executor = executor
        self._output: Any = None
        self._error: BaseException | None = None
        self._join_wakers: list[Waker] = []

    def wake(self) -> None:
        executor = self._executor
        with executor._lock:  # from any thread
            if self._future is None or id(self) in executor._scheduled:
                return
            executor._scheduled.add(id(self))
            executor._queue.append(self)
            executor._unpark()

    def run(self) -> None:
        self._executor._scheduled.discard(id(self))  # a wake from now on queues it again
        future = self._future
        if future is None:
            return
        cx = self._executor._cx
        cx.waker = self
        try:
            result = future.poll(cx)
        except Exception as error:
            self._finish(None, error)
            return
        if result is not Pending:
            self._finish(result.value, None)

    def abort(self) -> None:
        future = self._future
        if future is None:
            return
        self._finish(None, Cancelled("the task was aborted"))
        future.drop()

    def _finish(self, output: Any, error: BaseException | None) -> None:
        self._future = None
        self._output, self._error = output, error
        self._executor._tasks.pop(self, None)
        wakers, self._join_wakers = self._join_wakers, []
        for waker in wakers:
            waker.wake()

    @property
    def finished(self) -> bool:
        return self._future is None


class JoinHandle(Future[T]):
    """Await the task's output."""

    def __init__(self, task: Task) -> None:
        self._task = task
        self._taken = False

    def poll(self, cx: Context) -> Poll[T]:
        if self._taken:
            raise PolledAfterCompletion("JoinHandle polled after it returned Ready")
        task = self._task
        if task._future is not None:
            if not any(w.will_wake(cx.waker) for w in task._join_wakers):
                task._join_wakers.append(cx.waker)
            return Pending
        self._taken = True
        if task._error is not None:
            raise task._error
        return Ready(task._output)

    def drop(self) -> None:
        self._task._join_wakers.clear()

    def abort(self) -> None:
        self._task.abort()

    def is_finished(self) -> bool:
        return self._task._future is None


class _RootWaker(Waker):
    def __init__(self, executor: Executor) -> None:
        super().__init__()
        self._executor = executor

    def wake(self) -> None:
        executor = self._executor
        with executor._lock:  # from any thread: a parked block_on must wake up
            executor._root_woken = True
            executor._unpark()


class Executor:
    """A run queue of tasks, driven by `block_on` on the current thread."""

    def __init__(self) -> None:
        self._queue: deque[Task] = deque()
        self._scheduled: set[int] = set()  # ids of the tasks in the queue
        self._tasks: dict[Task, None] = {}
        self._root_woken = False
        self._lock = threading.Condition()  # wakes may come from any thread
        self._blocking = 0  # spawn_blocking threads still running
        self._cx = Context(noop_waker())

    def spawn(self, future: Spawnable[T]) -> JoinHandle[T]:
        task = Task(into_future(future), self)
        self._tasks[task] = None
        task.wake()
        return JoinHandle(task)

    def block_on(self, root: Spawnable[T]) -> T:
        if getattr(_current, "executor", None) is not None:
            raise RuntimeError("block_on() called inside block_on()")
        future = into_future(root)
        cx = Context(_RootWaker(self))
        self._root_woken = True
        _current.executor = self
        try:
            while True:
                if self._root_woken:
                    self._root_woken = False
                    result = future.poll(cx)
                    if result is not Pending:
                        return result.value
                for _ in range(len(self._queue)):
                    self._queue.popleft().run()
                self._park(0 if self._root_woken or self._queue else None)
        finally:
            _current.executor = None
            self._shutdown()

    # --- parking (given): the layers of stages 07 and 08 override these hooks ---------------

    def _park(self, timeout: float | None) -> None:
        """After a round: look for wakes (`timeout=0`), or sleep until one (given).

        `timeout`: seconds to wait at most while nothing is runnable; `0`: something is
        still runnable, only look once (`_block(0)`); `None`: no limit. Returns early as
        soon as the root is woken or a task is queued, from this thread or another. A wake
        can then come only from another thread, and the only ones this runtime knows of are
        its `spawn_blocking` threads (`_wakes_pending`): with none running, nothing can
        ever wake the root, so `timeout=None` raises `Deadlock` rather than sleep forever.
        (tokio parks forever; its paused clock stops jumping ahead while blocking tasks
        run: the same rule, there.) Called without `_lock` held.
        Rust: tokio's `Park::park` / `park_timeout`, which each driver layer wraps.
        """
        with self._lock:
            if timeout == 0:
                self._block(0)  # a look without waiting (06: nothing to look at)
                return
            until = None if timeout is None else time.monotonic() + timeout
            while not self._runnable():
                if until is None:
                    if not self._wakes_pending():
                        raise Deadlock("block_on: the root future is Pending, no task is "
                                       "runnable and no blocking task is running, so nothing "
                                       "can ever wake it (deadlock)")
                    self._block(None)
                else:
                    remaining = until - time.monotonic()
                    if remaining <= 0:
                        return
                    self._block(remaining)

    def _block(self, timeout: float | None) -> None:
        """Block this thread until `_unpark()` or `timeout` seconds (None: no limit; 0: do not
        wait). Called with `_lock` held; may return early. Rust: `thread::park_timeout`."""
        if timeout != 0:
            self._lock.wait(timeout)  # releases the lock while it waits

    def _unpark(self) -> None:
        """Wake a parked `block_on`. Called with `_lock` held, by every wake from any thread.
        Rust: `Unparker::unpark`."""
        self._lock.notify()

    def _wakes_pending(self) -> bool:
        """Can a wake still come from another thread? Called with `_lock` held."""
        return self._blocking > 0

    def _runnable(self) -> bool:
        """Is the root woken or a task queued? Read with `_lock` held to be sure."""
        return bool(self._root_woken) or bool(self._queue)

    def _shutdown(self) -> None:
        for task in list(self._tasks):  # spawn order; abort() forgets each one
            task.abort()
        self._queue.clear()
        self._scheduled.clear()


_current = threading.local()


def spawn(future: Spawnable[T]) -> JoinHandle[T]:
    executor: Executor | None = getattr(_current, "executor", None)
    if executor is None:
        raise RuntimeError("spawn() called outside block_on()")
    return executor.spawn(future)


def spawn_blocking(work: Callable[[], T]) -> JoinHandle[T]:
    """Run `work()` on a thread of its own; its JoinHandle finishes with the return value
    (or re-raises its exception). Given (Rust: `tokio::task::spawn_blocking`).

    For blocking code (a file, a `time.sleep`, a long computation) that must not stall the
    executor. The thread wakes the task awaiting it from *another thread*: this is why
    `Task.wake` must be thread-safe. While it runs, block_on parks instead of raising
    Deadlock, since a wake may still come.
    """
    executor: Executor | None = getattr(_current, "executor", None)
    if executor is None:
        raise RuntimeError("spawn_blocking() called outside block_on(): there is no executor "
                           "running on this thread")
    blocking: _Blocking[T] = _Blocking()
    with executor._lock:
        executor._blocking += 1
    handle = executor.spawn(blocking)

    def run() -> None:
        try:
            blocking.finish(work(), None)
        except Exception as error:  # a panic in the blocking task: its JoinHandle re-raises it
            blocking.finish(None, error)
        finally:
            with executor._lock:
                executor._blocking -= 1  # after the wake above: block_on never sees 0 too early
                executor._unpark()

    threading.Thread(target=run, name="spawn_blocking").start()
    return handle


class _Blocking(Future[T]):
    """The future of a blocking task: Ready once its thread has finished (given)."""

    __slots__ = ("_done", "_error", "_output", "_state", "_waker")

    def __init__(self) -> None:
        self._state = threading.Lock()
        self._done = False
        self._output: Any = None
        self._error: BaseException | None = None
        self._waker: Waker | None = None

    def poll(self, cx: Context) -> Poll[T]:
        with self._state:
            if not self._done:
                self._waker = cx.waker  # the latest waker; woken by the thread when it is done
                return Pending
        if self._error is not None:
            raise self._error
        return Ready(self._output)

    def finish(self, output: Any, error: BaseException | None) -> None:
        """On the blocking thread: store the result, then wake, outside the lock."""
        with self._state:
            self._output, self._error, self._done = output, error, True
            waker, self._waker = self._waker, None
        if waker is not None:
            waker.wake()  # a wake from another thread


def block_on(root: Spawnable[T]) -> T:
    return Executor().block_on(root)
