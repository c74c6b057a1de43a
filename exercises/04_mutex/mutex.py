"""Stage 04: a fair async mutex (Rust: `tokio::sync::Mutex`).

    guard = await mutex.lock()          # let mut guard = mutex.lock().await;
    guard.value += 1                    # *guard += 1;
    guard.release()                     # drop(guard);

    async with mutex.lock() as guard:   # { let mut guard = mutex.lock().await;
        guard.value += 1                #   *guard += 1; }  // dropped at the end of scope

Guarantees your mutex must give (the tests check each one, in this order):
1. `try_lock()` and a first poll of `lock()` take a free lock at once.
2. A `lock()` that cannot take the lock returns Pending and joins a queue, keeping the
   waker of its *latest* poll. A spurious poll keeps its place (it does not queue again).
3. Strict FIFO, no barging: waiters get the lock in the order of their first poll. Nobody
   jumps ahead of them, not even between a `release()` and the woken waiter's next poll.
4. Direct hand-off: `release()` makes the first waiter the owner *and then* wakes it. The
   mutex stays locked all along, so `try_lock()` and new `lock()`s see it taken. Finish
   updating your state before calling `wake()`: the woken task may be polled right away.
5. Cancel-safe (`drop()` on a lock future): a waiting one leaves the queue (only itself);
   one that was handed the lock but not polled yet passes the lock on; one that already
   returned its guard does nothing, because the guard owns the lock now.
6. A guard is released once; releasing again (or using `.value` after) raises RuntimeError.

Single-threaded: tasks of one executor share it, as they would a `!Send` lock in Rust.
Suggested order: Mutex.__init__, MutexGuard, try_lock, lock + LockFuture.poll, _release,
LockFuture.drop. Run `grade` after each step.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker, todo

T = TypeVar("T")


class Mutex(Generic[T]):
    """An async mutual-exclusion lock that protects `value`, fair (FIFO) like tokio's.

    `value` may be anything, `None`, `0`, `""` or `[]` included: it is data, never a flag.
    Suggested state: the value, whether the lock is taken (by a guard, or handed to a
    waiter that has not polled yet), and a `deque` of waiting LockFutures.
    """

    def __init__(self, value: T) -> None:
        todo("store the value, a 'locked' flag and a queue of waiters")

    def lock(self) -> LockFuture[T]:
        """A future of a MutexGuard. Lazy: nothing happens until its first poll."""
        todo()

    def try_lock(self) -> MutexGuard[T] | None:
        """The guard if the lock is free right now, else None (tokio: `try_lock()` -> Err).

        Must not take the lock while anyone is queued or was just handed the lock.
        """
        todo()

    def _release(self) -> None:
        """Called when the owner gives the lock up (a guard's release, or see drop()).

        If someone waits: the first waiter becomes the owner (the mutex stays locked), and
        only then is it woken. Otherwise: unlock.
        """
        todo()


class LockFuture(Future["MutexGuard[T]"]):
    """What `mutex.lock()` returns (tokio: the future of `async fn lock`).

    A small state machine, e.g.: not polled yet -> waiting in the queue -> handed the
    lock by `_release` -> done (returned its guard, or dropped).
    """

    def __init__(self, mutex: Mutex[T]) -> None:
        todo()

    def poll(self, cx: Context) -> Poll[MutexGuard[T]]:
        """First poll: take the lock if free (Ready(guard)), else keep the waker and queue.

        While waiting: a spurious poll keeps its place and only updates the waker.
        After `_release` handed it the lock: Ready(guard). After Ready: raise
        `PolledAfterCompletion`.
        """
        todo()

    def drop(self) -> None:
        """Cancelled before it completed (Rust: the future is dropped).

        Waiting: leave the queue, without disturbing anyone else's place.
        Handed the lock but not polled yet: nobody will take it, so pass it on.
        Already returned its guard (or never polled): nothing to do.
        """
        todo()

    # Given: `async with mutex.lock() as guard:` on top of your poll() and release().
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

    def __init__(self, mutex: Mutex[T]) -> None:
        todo()

    @property
    def value(self) -> T:
        """The protected value. Raises RuntimeError once the guard is released."""
        todo()

    @value.setter
    def value(self, new: T) -> None:
        todo()

    def release(self) -> None:
        """Unlock, handing the lock to the next waiter. A second call raises RuntimeError.

        Rust cannot drop a guard twice (the move checker forbids it); in Python we check.
        """
        todo()

    # Given.
    def __enter__(self) -> MutexGuard[T]:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.release()
