"""A set of scheduled task ids beside the deque, and a JoinHandle that wakes a list of wakers.

Stage 06 written another way the stub allows: "already queued" is membership of the task's
id in the executor's `scheduled` set (removed just before the poll); the JoinHandle keeps
every distinct waker it was polled with and wakes them all when the task finishes (extra,
harmless wakes: the latest waker is among them); shutdown walks a snapshot of the tasks.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Coroutine
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
        if self._future is None or id(self) in executor._scheduled:
            return
        executor._scheduled.add(id(self))
        executor._queue.append(self)

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
            self._finish(result.value, None)  # type: ignore[union-attr]

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
        self._executor._root_woken = True


class Executor:
    """A run queue of tasks, driven by `block_on` on the current thread."""

    def __init__(self) -> None:
        self._queue: deque[Task] = deque()
        self._scheduled: set[int] = set()  # ids of the tasks in the queue
        self._tasks: dict[Task, None] = {}
        self._root_woken = False
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
                        return result.value  # type: ignore[union-attr]
                for _ in range(len(self._queue)):
                    self._queue.popleft().run()
                if not self._root_woken and not self._queue:
                    raise Deadlock("the root is Pending and no task is runnable")
        finally:
            _current.executor = None
            self._shutdown()

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


def block_on(root: Spawnable[T]) -> T:
    return Executor().block_on(root)
