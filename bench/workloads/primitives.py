"""Small poll-based primitives the stdtask workloads need besides the runtime itself.

- `yield_now()`: wake yourself and return Pending once (tokio's `task::yield_now`).
- `Event`: tasks wait until it is set (W5's idle tasks).
- `channel()` and `Mutex`: used only when the reference stages 03/04 (`solutions/`) are not
  there, e.g. in a student copy. Same API as the reference ones, minimal: an unbounded
  single-consumer channel, and a fair FIFO mutex that hands the lock to the next waiter.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from stdtask import Context, Future, Pending, Poll, Ready, Waker

_READY_NONE: Poll[None] = Ready(None)


class YieldNow(Future[None]):
    __slots__ = ("_yielded",)

    def __init__(self) -> None:
        self._yielded = False

    def poll(self, cx: Context) -> Poll[None]:
        if self._yielded:
            return _READY_NONE
        self._yielded = True
        cx.waker.wake()
        return Pending


def yield_now() -> YieldNow:
    return YieldNow()


class Event:
    __slots__ = ("is_set", "wakers")

    def __init__(self) -> None:
        self.is_set = False
        self.wakers: list[Waker] = []

    def set(self) -> None:
        self.is_set = True
        wakers, self.wakers = self.wakers, []
        for waker in wakers:
            waker.wake()

    def wait(self) -> Wait:
        return Wait(self)


class Wait(Future[None]):
    __slots__ = ("_event",)

    def __init__(self, event: Event) -> None:
        self._event = event

    def poll(self, cx: Context) -> Poll[None]:
        if self._event.is_set:
            return _READY_NONE
        self._event.wakers.append(cx.waker)  # the workloads never poll a Wait spuriously
        return Pending


class _Chan:
    __slots__ = ("buffer", "rx_waker")

    def __init__(self) -> None:
        self.buffer: deque[Any] = deque()
        self.rx_waker: Waker | None = None


class Sender:
    __slots__ = ("_chan",)

    def __init__(self, chan: _Chan) -> None:
        self._chan = chan

    def send(self, value: Any) -> None:
        chan = self._chan
        chan.buffer.append(value)
        waker, chan.rx_waker = chan.rx_waker, None
        if waker is not None:
            waker.wake()


class Receiver:
    __slots__ = ("_chan",)

    def __init__(self, chan: _Chan) -> None:
        self._chan = chan

    def recv(self) -> Recv:
        return Recv(self._chan)


class Recv(Future[Any]):
    __slots__ = ("_chan",)

    def __init__(self, chan: _Chan) -> None:
        self._chan = chan

    def poll(self, cx: Context) -> Poll[Any]:
        chan = self._chan
        if chan.buffer:
            return Ready(chan.buffer.popleft())
        chan.rx_waker = cx.waker
        return Pending


def channel() -> tuple[Sender, Receiver]:
    chan = _Chan()
    return Sender(chan), Receiver(chan)


class Mutex:
    __slots__ = ("_locked", "_waiters", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self._locked = False
        self._waiters: deque[Lock] = deque()

    def lock(self) -> Lock:
        return Lock(self)

    def _release(self) -> None:
        if self._waiters:
            waiter = self._waiters.popleft()
            waiter.owner = True  # hand-off: the mutex stays locked
            waiter.waker.wake()  # type: ignore[union-attr]
        else:
            self._locked = False


class Guard:
    __slots__ = ("_mutex",)

    def __init__(self, mutex: Mutex) -> None:
        self._mutex = mutex

    @property
    def value(self) -> Any:
        return self._mutex.value

    @value.setter
    def value(self, new: Any) -> None:
        self._mutex.value = new

    def release(self) -> None:
        self._mutex._release()


class Lock(Future[Guard]):
    __slots__ = ("_mutex", "owner", "waker")

    def __init__(self, mutex: Mutex) -> None:
        self._mutex = mutex
        self.owner = False
        self.waker: Waker | None = None

    def poll(self, cx: Context) -> Poll[Guard]:
        mutex = self._mutex
        if self.owner:
            return Ready(Guard(mutex))
        if self.waker is None and not mutex._locked:
            mutex._locked = True
            return Ready(Guard(mutex))
        if self.waker is None:
            mutex._waiters.append(self)
        self.waker = cx.waker
        return Pending
