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
  re-raised where its JoinHandle is awaited; other tasks keep running. Only an `Exception`
  is a panic: `KeyboardInterrupt` and `SystemExit` (Ctrl-C, `sys.exit()`) leave `block_on`
  at once, as they leave asyncio's event loop.
- `abort()` drops the task's future (`drop()` called exactly once) unless it already finished.
- Shutdown: when the root future finishes (or raises), every task still unfinished is
  dropped, in spawn order, like tokio dropping its tasks when the runtime shuts down.
- Wakes may come from any thread (Rust: `Waker` is `Send + Sync`): `wake()` queues the task
  under the executor's lock and unparks it, so a parked `block_on` wakes up at once.
- Root Pending, no task runnable: `block_on` parks until a wake arrives. If no blocking task
  (`spawn_blocking`) is running either, no wake can ever come: it raises `Deadlock` instead.

The parking is layered like tokio's driver stack, so that stage 07 (timers) and 08 (I/O)
extend this executor by subclassing it, each overriding two hooks of the layer below:
`_park(timeout)` (the drivers' turn after each round: tokio's `Park::park_timeout`),
`_block(timeout)` (the innermost wait), `_unpark()` (what every wake calls: Rust's
`Unparker::unpark`) and `_wakes_pending()` (can a wake still come from another thread?).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine
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
    """The root future is Pending and nothing can ever wake it: no task is runnable and no
    blocking task is running."""


class Cancelled(Exception):
    """Awaiting the JoinHandle of an aborted task (Rust: `JoinError::Cancelled`)."""


class Task(Waker):
    """One spawned future, and its own waker (Rust: `impl Wake for Task`, `Waker::from(Arc<Task>)`).

    Rust's task is an `Arc<Task>`: the queue, every waker and the JoinHandle share it.
    Here the task object plays all three roles. A task has no Context of its own: the
    executor lends one Context to every poll, pointed at the task it polls (Rust builds a
    `Context<'_>` for each poll; it cannot outlive the poll, so no future keeps it).
    Optimisation (for the benchmarks): the plain version gives each task its own
    `Context(self)`; lending one saves an object per task and a task -> Context -> task
    cycle for the garbage collector.
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
        # Rust: `fn wake(self: Arc<Self>) { queue.lock().push(self); unpark() }`, but at most
        # once: a task that is already queued will be polled anyway, a finished one never again.
        # Any thread may call it, so check-and-queue happens under the executor's lock, and
        # `_unpark()` wakes a block_on that is parked waiting for exactly this.
        executor = self._executor
        with executor._lock:
            if self._scheduled or self._future is None:
                return
            self._scheduled = True
            executor._queue.append(self)
            executor._unpark()

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
            # (an Exception only: Ctrl-C and sys.exit() are BaseExceptions and go on out)
            self._finish(None, error)
            return
        if result is not Pending:
            self._finish(result.value, None)

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
        return Ready(task._output)

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
        executor = self._executor
        with executor._lock:  # from any thread: a parked block_on must wake up
            executor._root_woken = True
            executor._unpark()


class Executor:
    """A run queue of tasks, driven by `block_on` on the current thread."""

    __slots__ = ("_blocking", "_cx", "_lock", "_queue", "_root_woken", "_tasks")

    def __init__(self) -> None:
        self._queue: deque[Task] = deque()  # runnable tasks, each at most once
        self._tasks: dict[Task, None] = {}  # unfinished tasks, in spawn order
        self._root_woken = False
        self._cx = Context(noop_waker())  # lent to each task's poll (Task.run sets its waker)
        # Wakes may come from any thread (Rust: `Waker` is `Send + Sync`). This condition guards
        # the queue and the root's flag against them, and a wake `_unpark()`s it so a parked
        # block_on wakes up (Rust: the run queue's Mutex, and the thread's park/unpark).
        self._lock = threading.Condition()
        self._blocking = 0  # spawn_blocking threads still running: wakes that may yet come

    def spawn(self, future: Spawnable[T]) -> JoinHandle[T]:
        """Start running `future` as a task; it runs while `block_on` runs."""
        # Optimisation (for the benchmarks): the plain version is `into_future(future)`; the
        # exact-type test skips its ABC isinstance check in the common case, a coroutine.
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
                        return result.value
                # One round: the tasks queued now. Tasks woken during the round (or spawned)
                # are appended behind and run next round, after the root had its turn.
                for _ in range(len(queue)):
                    queue.popleft().run()
                # The drivers' turn: a look when something is still runnable (a busy task
                # cannot starve them), else sleep until a wake comes (or Deadlock).
                self._park(0 if self._root_woken or queue else None)
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
        return self._root_woken or bool(self._queue)

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
    """Run `root` on a fresh executor (Rust: `Runtime::new().block_on(root)`)."""
    return Executor().block_on(root)
