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
        """Queue the task to be polled (Rust: `impl Wake for Task { fn wake(self: Arc<Self>) }`).

        - At most one queue entry per task: if it is already queued, do nothing.
        - A finished (or aborted) task is never queued again: do nothing.
        - A wake that arrives *while the task is being polled* must not be lost: the
          task is polled again later (it goes to the back of the queue).
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
        """Start `future` (or a coroutine) as a task and return its JoinHandle.

        The task goes into the run queue; it is polled by `block_on`, never here.
        """
        todo()

    def block_on(self, root: Spawnable[T]) -> T:
        """Run `root` and every spawned task until `root` finishes; return its output.

        - The root has its own waker (`_RootWaker`): poll it when it was woken (only then).
        - Then run one round: the tasks queued at this moment, oldest first; tasks may spawn
          or wake tasks while you do, and those wait for the next round.
        - Nothing woken and nothing queued: raise `Deadlock` (nothing can ever wake the root).
        - While it runs, `spawn()` must find this executor: set `_current.executor`.
        - However it ends (output or exception): shut down (`_shutdown`) and reset
          `_current.executor`. Calling block_on inside block_on raises RuntimeError.
        """
        todo()

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


def block_on(root: Spawnable[T]) -> T:
    """Run `root` on a fresh executor (Rust: `Runtime::new().block_on(root)`)."""
    return Executor().block_on(root)
