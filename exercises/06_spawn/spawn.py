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
    todo,
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
        """Queue the task to be polled (Rust: `impl Wake for Task { fn wake(self: Arc<Self>) }`).

        - At most one queue entry per task: if it is already queued, do nothing.
        - A finished (or aborted) task is never queued again: do nothing.
        - A wake that arrives *while the task is being polled* must not be lost: the
          task is polled again later (it goes to the back of the queue).
        - Any thread may call it (Rust: `Waker` is `Send + Sync`; a `spawn_blocking` thread
          wakes its task when it is done): check and queue while holding the executor's
          `_lock` (`with self._executor._lock:`), and call `self._executor._unpark()` (given)
          while you hold it, so that a `block_on` parked in `_park()` wakes up.
        """
        todo()

    def run(self) -> None:
        """Poll the task once with the executor's Context (popped from the queue).

        - Skip a task that finished or was aborted while it waited in the queue.
        - Ready(value): the task is finished (`_finish`).
        - An exception from `poll` is the task's result too (a panic caught by the runtime):
          keep it for the JoinHandle, do not let it stop the executor.
        """
        todo()

    def abort(self) -> None:
        """Cancel the task (Rust: `JoinHandle::abort`).

        An unfinished task: finish it with `Cancelled`, and drop its future (`drop()`,
        exactly once). A finished task: nothing to do.
        """
        todo()

    def _finish(self, output: Any, error: BaseException | None) -> None:
        """The task is done: record its result, release its future, wake its JoinHandle.

        - Release the future at once: a finished task holds only its result.
        - Forget the task in the executor's list of unfinished tasks.
        - Wake whoever awaits the JoinHandle (the waker it stored), so it reads the result.
        """
        todo()

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
        """Ready(output) once the task finished; else store `cx.waker` and return Pending.

        Re-raise the task's exception if it raised (Cancelled if aborted). A poll after
        Ready raises `PolledAfterCompletion`.
        """
        todo()

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
        """Start `future` (or a coroutine) as a task and return its JoinHandle.

        The task goes into the run queue; it is polled by `block_on`, never here.
        """
        todo()

    def block_on(self, root: Spawnable[T]) -> T:
        """Run `root` and every spawned task until `root` finishes; return its output.

        - The root has its own waker (`_RootWaker`): poll it when it was woken (only then).
        - Then run one round: the tasks queued at this moment, oldest first; tasks may spawn
          or wake tasks while you do, and those wait for the next round.
        - After each round, call `self._park(timeout)` (given): `timeout=0` when the root is
          woken or a task is queued (it only looks, and returns), `None` when nothing is
          (it sleeps until a wake arrives from another thread, or raises `Deadlock` when
          none can ever come).
        - While it runs, `spawn()` must find this executor: set `_current.executor`.
        - However it ends (output or exception): shut down (`_shutdown`) and reset
          `_current.executor`. Calling block_on inside block_on raises RuntimeError.
        """
        todo()

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
        """Drop every unfinished task, in spawn order (the rule of this executor, like tokio's)."""
        todo()


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
