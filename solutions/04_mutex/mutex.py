"""Stage 04: a fair async mutex (Rust: `tokio::sync::Mutex`).

    guard = await mutex.lock()          # let mut guard = mutex.lock().await;
    guard.value += 1                    # *guard += 1;
    guard.release()                     # drop(guard);

    async with mutex.lock() as guard:   # { let mut guard = mutex.lock().await;
        guard.value += 1                #   *guard += 1; }  // dropped at the end of scope

Guarantees:
- Strict FIFO: waiters get the lock in the order of their first poll, and nobody barges
  in front of them, not even between a release and the woken waiter's next poll.
- Direct hand-off: `release()` gives ownership to the first waiter and wakes it; the mutex
  stays locked all along, so `try_lock()` and new `lock()`s see it taken.
- Cancel-safe: dropping a waiting `lock()` future removes it from the queue (and only it);
  dropping one that was handed the lock but never took it passes the lock on; dropping one
  that already returned its guard does nothing (the guard owns the lock now).

Single-threaded: tasks of one executor share it, as they would a `!Send` lock in Rust.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker

T = TypeVar("T")

# The states of a LockFuture (an enum in Rust).
_IDLE = 0      # created, never polled: lazy, not in the queue yet
_WAITING = 1   # in the mutex's queue, with the waker of its latest poll
_NOTIFIED = 2  # release() handed it the lock; the next poll returns the guard
_DONE = 3      # returned its guard, or dropped


class Mutex(Generic[T]):
    """An async mutual-exclusion lock that protects `value`, fair (FIFO) like tokio's.

    `value` may be anything, `None`, `0`, `""` or `[]` included: it is data, never a flag.
    """

    __slots__ = ("_locked", "_value", "_waiters")

    def __init__(self, value: T) -> None:
        self._value = value
        self._locked = False  # held by a guard, or handed to a waiter that has not polled yet
        # Trade-off: a deque makes cancelling a waiter O(n); tokio's intrusive list, trio's OrderedDict: O(1).
        self._waiters: deque[LockFuture[T]] = deque()  # tokio: the semaphore's wait list

    def lock(self) -> LockFuture[T]:
        """A future of a guard. Lazy: it joins the queue at its first poll."""
        return LockFuture(self)

    def try_lock(self) -> MutexGuard[T] | None:
        """The guard if the lock is free now, else None (tokio: `try_lock()` -> `Err`)."""
        if self._locked:  # waiters only ever queue behind a locked mutex: no barging
            return None
        self._locked = True
        return MutexGuard(self)

    def _release(self) -> None:
        """Give the lock to the first waiter, or unlock if nobody waits."""
        if self._waiters:
            waiter = self._waiters.popleft()
            waiter._state = _NOTIFIED  # hand the lock over first: the mutex stays locked...
            waiter._wake()             # ...then wake, as the woken task may be polled at once
        else:
            self._locked = False

    def __repr__(self) -> str:
        state = "locked" if self._locked else "unlocked"
        return f"<Mutex {state}, {len(self._waiters)} waiting>"


class LockFuture(Future["MutexGuard[T]"]):
    """What `mutex.lock()` returns (tokio: the future of `async fn lock`)."""

    __slots__ = ("_guard", "_mutex", "_state", "_waker")

    def __init__(self, mutex: Mutex[T]) -> None:
        self._mutex = mutex
        self._state = _IDLE
        self._waker: Waker | None = None

    def poll(self, cx: Context) -> Poll[MutexGuard[T]]:
        state = self._state
        if state == _NOTIFIED:  # release() made us the owner
            self._state = _DONE
            self._waker = None
            return Ready(MutexGuard(self._mutex))
        if state == _WAITING:  # a spurious poll: keep our place, refresh the waker
            self._waker = cx.waker
            return Pending
        if state == _DONE:
            raise PolledAfterCompletion("a lock() future was polled after it returned Ready")
        guard = self._mutex.try_lock()  # first poll
        if guard is not None:
            self._state = _DONE
            return Ready(guard)
        self._waker = cx.waker  # keep the waker, then queue behind the others
        self._state = _WAITING
        self._mutex._waiters.append(self)
        return Pending

    def drop(self) -> None:
        """Cancelled (Rust: the future is dropped before it completes)."""
        state = self._state
        self._state = _DONE
        self._waker = None
        if state == _WAITING:
            self._mutex._waiters.remove(self)  # leave the queue: our place, nobody else's
        elif state == _NOTIFIED:
            self._mutex._release()  # we were handed the lock but never took it: pass it on

    def _wake(self) -> None:
        assert self._waker is not None, "the lock was handed to a lock() future that is not waiting"
        self._waker.wake()

    async def __aenter__(self) -> MutexGuard[T]:
        """`async with mutex.lock() as guard:` awaits the guard..."""
        self._guard = await self
        return self._guard

    async def __aexit__(self, *exc_info: Any) -> None:
        """...and releases it when the block ends, however it ends (Rust: end of scope)."""
        self._guard.release()


class MutexGuard(Generic[T]):
    """Proof of ownership; `.value` reads and writes the protected value (Rust: `Deref`).

    `release()` unlocks (Rust: `drop(guard)`); also a context manager:
    `with await mutex.lock() as guard:` releases at the end of the block.
    """

    __slots__ = ("_mutex",)

    def __init__(self, mutex: Mutex[T]) -> None:
        self._mutex: Mutex[T] | None = mutex

    def _owned(self) -> Mutex[T]:
        if self._mutex is None:
            raise RuntimeError("this MutexGuard was already released")
        return self._mutex

    @property
    def value(self) -> T:
        return self._owned()._value

    @value.setter
    def value(self, new: T) -> None:
        self._owned()._value = new

    def release(self) -> None:
        """Unlock, handing the lock to the next waiter. A second call raises RuntimeError."""
        mutex = self._owned()
        self._mutex = None  # Rust's move semantics: a guard is dropped once
        mutex._release()

    def __enter__(self) -> MutexGuard[T]:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.release()
