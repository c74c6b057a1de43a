"""Cross-thread test pieces: watch a thread park on a condition, wake it from outside.

Thread tests must give the same verdict on every run, on a loaded machine too: nothing here
sleeps or guesses. A test learns that a thread *is parked* (inside `Condition.wait`, its
lock released) instead of waiting "long enough", and wakes it only then.

- `SpyCondition`: a `threading.Condition` that counts the thread(s) parking in `wait()`
  (`wait_for_parks(n)`), can provoke a spurious wakeup (`spurious_wakeup()`: notify with no
  wake behind it), and can run a hook on a chosen thread just before its next `acquire`
  (`before_next_lock`), to land a wake between "poll returned Pending" and "park".
- `RemoteFuture`: Pending until `wake_up()` is called (from any thread) `rounds` times, then
  Ready. A poll that no wake preceded fails the test at once with `unwoken_hint` (busy
  loop, spurious wakeup taken for a wake, stale wake from an earlier call...).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from kit.failures import fail
from stdtask import Context, Future, Pending, Poll, Ready, Waker

T = TypeVar("T")

LIMIT = 2.0  # seconds: only a hang catcher; every wait below normally ends in microseconds


class SpyCondition(threading.Condition):
    """A `threading.Condition` a test can watch and poke. Behaves exactly like one otherwise."""

    def __init__(self) -> None:
        self._own_lock = threading.RLock()  # Condition's default lock, kept to acquire it below
        super().__init__(self._own_lock)
        self._book = threading.Condition(threading.Lock())  # guards the counters below
        self.parks = 0  # calls to wait() so far
        self.closed = False
        self._hook: tuple[int, Callable[[], None]] | None = None
        # Condition's acquire is its lock's, set per instance: replace it the same way.
        self.acquire = self._acquire  # type: ignore[method-assign]

    # -- what the code under test calls ----------------------------------------------------

    def wait(self, timeout: float | None = None) -> bool:
        with self._book:
            self.parks += 1
            self._book.notify_all()
        # The caller holds our lock until super().wait() has queued it as a waiter and
        # released the lock: whoever acquires the lock after seeing `parks` go up can
        # notify it for sure.
        return super().wait(timeout)

    def __enter__(self) -> bool:
        self._run_hook()
        return super().__enter__()

    def _acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        self._run_hook()
        return self._own_lock.acquire(blocking, timeout)

    # -- what the test calls ---------------------------------------------------------------

    def wait_for_parks(self, n: int, seconds: float = LIMIT) -> bool:
        """Block until `wait()` has been entered `n` times in all; False on timeout or close."""
        with self._book:
            self._book.wait_for(lambda: self.parks >= n or self.closed, seconds)
            return self.parks >= n and not self.closed

    def spurious_wakeup(self) -> None:
        """Wake every thread parked in `wait()` with no wake behind it (a spurious wakeup)."""
        with self:
            self.notify_all()

    def before_next_lock(self, hook: Callable[[], None]) -> None:
        """Run `hook()` once, on the calling thread, just before it next takes this lock."""
        self._hook = (threading.get_ident(), hook)

    def close(self) -> None:
        """Release anyone blocked in `wait_for_parks` (the test is over)."""
        with self._book:
            self.closed = True
            self._book.notify_all()

    def _run_hook(self) -> None:
        armed = self._hook
        if armed is not None and armed[0] == threading.get_ident():
            self._hook = None
            armed[1]()


class RemoteFuture(Future[T], Generic[T]):
    """Pending until woken from outside `rounds` times, then `Ready(value)`.

    `wake_up()` (any thread) records the wake and wakes the latest waker. Every poll after
    the first must have a `wake_up()` (or, with `wake_during_poll`, its own wake) behind
    it, else the test fails at once with `unwoken_hint` / `unwoken_message`.
    `first_poll` is set when the first poll starts; `wakers` lists the waker of each poll.
    """

    def __init__(self, value: T, rounds: int = 1, *, name: str = "the future",
                 unwoken_hint: str = "busy_loop", unwoken_message: str = "",
                 wake_during_poll: bool = False) -> None:
        self.value = value
        self.rounds = rounds
        self.name = name
        self.unwoken_hint = unwoken_hint
        self.unwoken_message = unwoken_message
        self.wake_during_poll = wake_during_poll
        self.polls = 0
        self.wakes = 0
        self.waker: Waker | None = None
        self.wakers: list[Waker] = []
        self.first_poll = threading.Event()
        self.on_pending: Callable[[Context], None] | None = None  # runs inside poll, on Pending
        self._lock = threading.Lock()
        self._woken = False  # a wake since the latest poll

    def poll(self, cx: Context) -> Poll[T]:
        self.first_poll.set()
        with self._lock:
            self.polls += 1
            if self.polls > 1 and not self._woken:
                fail(self.unwoken_hint,
                     self.unwoken_message or f"{self.name} was polled again (poll #{self.polls}) "
                     "although nothing had woken its waker since it returned Pending.")
            self._woken = False
            self.waker = cx.waker
            self.wakers.append(cx.waker)
            done = self.wakes >= self.rounds
        if done:
            return Ready(self.value)
        if self.wake_during_poll:
            self.wake_up()
        if self.on_pending is not None:
            self.on_pending(cx)
        return Pending

    def wake_up(self) -> None:
        """One wake from outside: the event this future waits for happened."""
        with self._lock:
            self.wakes += 1
            self._woken = True
            waker = self.waker
        if waker is not None:
            waker.wake()

    def __repr__(self) -> str:
        return f"<{self.name}: {self.polls} polls, {self.wakes} wakes>"


def start_thread(target: Callable[[], Any], name: str) -> tuple[threading.Thread, dict[str, Any]]:
    """Run `target()` in a daemon thread; its result or exception lands in the returned dict."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = target()
        except BaseException as error:  # reported by the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread, outcome
