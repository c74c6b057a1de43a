"""Each round swaps the run queue for a fresh one; a fresh Context per poll, expired after it.

Stage 06 written another way the stub allows: a round takes the whole queue (`batch, queue =
queue, deque()`) and runs the batch, so wakes during the round land in the new queue for the
next round; each poll gets its own `Context`, expired when the poll returns; the root's wake
is a counter; the JoinHandle checks for a result with a sentinel instead of `_future`.
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
)

T = TypeVar("T")
Spawnable = Future[T] | Coroutine[Any, Any, T]

_NO_RESULT = object()


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
        self._queued = False
        self._result: Any = _NO_RESULT  # ("ok", value) or ("error", exception) once done
        self._join_waker: Waker | None = None

    def wake(self) -> None:
        if self._queued or self._result is not _NO_RESULT:
            return
        self._queued = True
        self._executor._queue.append(self)

    def run(self) -> None:
        self._queued = False
        future = self._future
        if future is None:
            return
        cx = Context(self)
        try:
            result = future.poll(cx)
        except Exception as error:
            self._finish(("error", error))
            return
        finally:
            cx.expire()
        if isinstance(result, Ready):
            self._finish(("ok", result.value))

    def abort(self) -> None:
        future = self._future
        if future is None:
            return
        future.drop()  # drop first, then report: both happen before anyone is woken
        self._finish(("error", Cancelled("the task was aborted")))

    def _finish(self, result: tuple[str, Any]) -> None:
        self._future = None
        self._result = result
        self._executor._tasks.pop(id(self), None)
        waker = self._join_waker
        self._join_waker = None
        if waker is not None:
            waker.wake()

    @property
    def finished(self) -> bool:
        return self._result is not _NO_RESULT


class JoinHandle(Future[T]):
    """Await the task's output."""

    def __init__(self, task: Task) -> None:
        self._task = task
        self._taken = False

    def poll(self, cx: Context) -> Poll[T]:
        if self._taken:
            raise PolledAfterCompletion("JoinHandle polled after it returned Ready")
        result = self._task._result
        if result is _NO_RESULT:
            self._task._join_waker = cx.waker
            return Pending
        self._taken = True
        kind, value = result
        if kind == "error":
            raise value
        return Ready(value)

    def drop(self) -> None:
        self._task._join_waker = None

    def abort(self) -> None:
        self._task.abort()

    def is_finished(self) -> bool:
        return self._task.finished


class _RootWaker(Waker):
    def __init__(self, executor: Executor) -> None:
        super().__init__()
        self._executor = executor

    def wake(self) -> None:
        self._executor._root_wakes += 1


class Executor:
    """A run queue of tasks, driven by `block_on` on the current thread."""

    def __init__(self) -> None:
        self._queue: deque[Task] = deque()
        self._tasks: dict[int, Task] = {}  # unfinished, by id, in spawn order
        self._root_wakes = 0

    def spawn(self, future: Spawnable[T]) -> JoinHandle[T]:
        task = Task(into_future(future), self)
        self._tasks[id(task)] = task
        task.wake()
        return JoinHandle(task)

    def block_on(self, root: Spawnable[T]) -> T:
        if getattr(_current, "executor", None) is not None:
            raise RuntimeError("block_on() called inside block_on()")
        _current.executor = self
        try:
            future = into_future(root)
            self._root_wakes = 1
            waker = _RootWaker(self)
            while True:
                if self._root_wakes:
                    self._root_wakes = 0
                    cx = Context(waker)
                    try:
                        result = future.poll(cx)
                    finally:
                        cx.expire()
                    if isinstance(result, Ready):
                        return result.value
                batch, self._queue = self._queue, deque()
                for task in batch:
                    task.run()
                if not self._root_wakes and not self._queue:
                    raise Deadlock("the root is Pending and no task is runnable")
        finally:
            _current.executor = None
            self._shutdown()

    def _shutdown(self) -> None:
        while self._tasks:
            first = next(iter(self._tasks.values()))
            first.abort()
        self._queue.clear()


_current = threading.local()


def spawn(future: Spawnable[T]) -> JoinHandle[T]:
    executor: Executor | None = getattr(_current, "executor", None)
    if executor is None:
        raise RuntimeError("spawn() called outside block_on()")
    return executor.spawn(future)


def block_on(root: Spawnable[T]) -> T:
    return Executor().block_on(root)
