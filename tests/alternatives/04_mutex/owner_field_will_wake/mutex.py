"""The mutex names its owner (a guard marker or the handed-to future); wakers kept via will_wake.

Waiters are a plain list. A waiting future replaces its stored waker only when
`will_wake` says the new one is different. Extra wakes are harmless and this design makes
some on purpose: a release also nudges the waiter behind the new owner, and a cancelled
waiter nudges everyone still waiting (they poll, see they do not own the lock, and wait on).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker

T = TypeVar("T")

_GUARD = object()  # the owner is a guard that was handed out


class Mutex(Generic[T]):
    def __init__(self, value: T) -> None:
        self._value = value
        self._owner: object | None = None
        self._waiters: list[LockFuture[T]] = []

    def lock(self) -> LockFuture[T]:
        return LockFuture(self)

    def try_lock(self) -> MutexGuard[T] | None:
        if self._owner is not None:
            return None
        self._owner = _GUARD
        return MutexGuard(self)

    def _release(self) -> None:
        if not self._waiters:
            self._owner = None
            return
        first = self._waiters.pop(0)
        self._owner = first
        wakers = [first._waker]
        if self._waiters:
            wakers.append(self._waiters[0]._waker)  # a spurious nudge: harmless
        for waker in wakers:
            if waker is not None:
                waker.wake()


class LockFuture(Future["MutexGuard[T]"]):
    def __init__(self, mutex: Mutex[T]) -> None:
        self._mutex = mutex
        self._waker: Waker | None = None
        self._queued = False
        self._done = False

    def poll(self, cx: Context) -> Poll[MutexGuard[T]]:
        if self._done:
            raise PolledAfterCompletion("lock() future polled after Ready")
        mutex = self._mutex
        if mutex._owner is self:
            mutex._owner = _GUARD
            self._done = True
            self._waker = None
            return Ready(MutexGuard(mutex))
        if not self._queued:
            guard = mutex.try_lock()
            if guard is not None:
                self._done = True
                return Ready(guard)
            self._queued = True
            mutex._waiters.append(self)
        if self._waker is None or not self._waker.will_wake(cx.waker):
            self._waker = cx.waker
        return Pending

    def drop(self) -> None:
        if self._done:
            return
        self._done = True
        self._waker = None
        mutex = self._mutex
        if mutex._owner is self:
            mutex._release()
        elif self._queued:
            mutex._waiters.remove(self)
            for other in list(mutex._waiters):  # spurious nudges: harmless
                if other._waker is not None:
                    other._waker.wake()

    async def __aenter__(self) -> MutexGuard[T]:
        self._guard = await self
        return self._guard

    async def __aexit__(self, *exc_info: Any) -> None:
        self._guard.release()


class MutexGuard(Generic[T]):
    def __init__(self, mutex: Mutex[T]) -> None:
        self._mutex: Mutex[T] | None = mutex

    def _owned(self) -> Mutex[T]:
        if self._mutex is None:
            raise RuntimeError("MutexGuard used after release")
        return self._mutex

    @property
    def value(self) -> T:
        return self._owned()._value

    @value.setter
    def value(self, new: T) -> None:
        self._owned()._value = new

    def release(self) -> None:
        mutex = self._owned()
        self._mutex = None
        mutex._release()

    def __enter__(self) -> MutexGuard[T]:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.release()
