"""Waiters in an OrderedDict keyed by a ticket number; a cancelled waiter deletes its own key.

The mutex keeps a `_locked` flag and an insertion-ordered dict ticket -> LockFuture; each
lock() future takes its ticket at its first poll. try_lock() also checks the dict.
"""

from __future__ import annotations

from collections import OrderedDict
from itertools import count
from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker

T = TypeVar("T")


class Mutex(Generic[T]):
    def __init__(self, value: T) -> None:
        self._value = value
        self._locked = False
        self._waiters: OrderedDict[int, LockFuture[T]] = OrderedDict()
        self._tickets = count()

    def lock(self) -> LockFuture[T]:
        return LockFuture(self)

    def try_lock(self) -> MutexGuard[T] | None:
        if self._locked or self._waiters:
            return None
        self._locked = True
        return MutexGuard(self)

    def _release(self) -> None:
        if not self._waiters:
            self._locked = False
            return
        _, waiter = self._waiters.popitem(last=False)
        waiter._handed = True
        waiter._ticket = None
        waker = waiter._waker
        waiter._waker = None
        assert waker is not None
        waker.wake()


class LockFuture(Future["MutexGuard[T]"]):
    def __init__(self, mutex: Mutex[T]) -> None:
        self._mutex = mutex
        self._ticket: int | None = None
        self._waker: Waker | None = None
        self._handed = False
        self._finished = False

    def poll(self, cx: Context) -> Poll[MutexGuard[T]]:
        if self._finished:
            raise PolledAfterCompletion("lock() future polled after Ready")
        if self._handed:
            self._finished = True
            return Ready(MutexGuard(self._mutex))
        if self._ticket is not None:
            self._waker = cx.waker
            return Pending
        guard = self._mutex.try_lock()
        if guard is not None:
            self._finished = True
            return Ready(guard)
        self._waker = cx.waker
        self._ticket = next(self._mutex._tickets)
        self._mutex._waiters[self._ticket] = self
        return Pending

    def drop(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._waker = None
        if self._ticket is not None:
            del self._mutex._waiters[self._ticket]
            self._ticket = None
        elif self._handed:
            self._mutex._release()

    async def __aenter__(self) -> MutexGuard[T]:
        self._guard = await self
        return self._guard

    async def __aexit__(self, *exc_info: Any) -> None:
        self._guard.release()


class MutexGuard(Generic[T]):
    def __init__(self, mutex: Mutex[T]) -> None:
        self._mutex = mutex
        self._released = False

    def _check(self) -> None:
        if self._released:
            raise RuntimeError("guard already released")

    @property
    def value(self) -> T:
        self._check()
        return self._mutex._value

    @value.setter
    def value(self, new: T) -> None:
        self._check()
        self._mutex._value = new

    def release(self) -> None:
        self._check()
        self._released = True
        self._mutex._release()

    def __enter__(self) -> MutexGuard[T]:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.release()
