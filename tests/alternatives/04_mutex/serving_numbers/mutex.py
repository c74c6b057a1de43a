"""A ticket lock: each waiter draws a number at its first poll, the mutex calls "now serving".

No queue of futures: `_next` is the next number to draw, `_serving` the number that owns the
lock; the lock is free when they are equal. Wakers sit in a dict by number; a cancelled
waiter's number goes into a set and is skipped when it is called.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker

T = TypeVar("T")


class Mutex(Generic[T]):
    def __init__(self, value: T) -> None:
        self._value = value
        self._next = 0  # the number the next waiter draws
        self._serving = 0  # the number that owns the lock (free when == _next)
        self._wakers: dict[int, Waker] = {}
        self._cancelled: set[int] = set()

    def lock(self) -> LockFuture[T]:
        return LockFuture(self)

    def _draw(self) -> int:
        number = self._next
        self._next += 1
        return number

    def try_lock(self) -> MutexGuard[T] | None:
        if self._serving != self._next:
            return None
        self._draw()  # our number is the one being served
        return MutexGuard(self)

    def _release(self) -> None:
        self._serving += 1
        while self._serving in self._cancelled:
            self._cancelled.discard(self._serving)
            self._serving += 1
        waker = self._wakers.pop(self._serving, None)
        if waker is not None:
            waker.wake()


class LockFuture(Future["MutexGuard[T]"]):
    def __init__(self, mutex: Mutex[T]) -> None:
        self._mutex = mutex
        self._number: int | None = None
        self._done = False

    def poll(self, cx: Context) -> Poll[MutexGuard[T]]:
        if self._done:
            raise PolledAfterCompletion("lock() future polled after Ready")
        mutex = self._mutex
        if self._number is None:
            guard = mutex.try_lock()
            if guard is not None:
                self._done = True
                return Ready(guard)
            self._number = mutex._draw()
        if mutex._serving == self._number:
            self._done = True
            return Ready(MutexGuard(mutex))
        mutex._wakers[self._number] = cx.waker
        return Pending

    def drop(self) -> None:
        number, done = self._number, self._done
        self._done = True
        if done or number is None:
            return
        mutex = self._mutex
        if mutex._serving == number:  # handed the lock, never took it
            mutex._release()
        else:
            mutex._wakers.pop(number, None)
            mutex._cancelled.add(number)

    async def __aenter__(self) -> MutexGuard[T]:
        self._guard = await self
        return self._guard

    async def __aexit__(self, *exc_info: Any) -> None:
        self._guard.release()


class MutexGuard(Generic[T]):
    def __init__(self, mutex: Mutex[T]) -> None:
        self._mutex = mutex
        self._live = True

    @property
    def value(self) -> T:
        if not self._live:
            raise RuntimeError("released guard")
        return self._mutex._value

    @value.setter
    def value(self, new: T) -> None:
        if not self._live:
            raise RuntimeError("released guard")
        self._mutex._value = new

    def release(self) -> None:
        if not self._live:
            raise RuntimeError("guard released twice")
        self._live = False
        self._mutex._release()

    def __enter__(self) -> MutexGuard[T]:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.release()
