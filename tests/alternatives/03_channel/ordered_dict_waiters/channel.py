"""Blocked sends in an OrderedDict by ticket; wakers kept while will_wake; close wakes newest first.

A correct alternative to the reference: the queue of blocked sends is an `OrderedDict`
from a ticket (`itertools.count`) to the send, so a cancelled send leaves in O(1) by its
ticket; a stored waker is replaced only when `will_wake` says it would not reach the same
task; dropping the receiver wakes the blocked sends newest first (the stub leaves the
order open).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, deque
from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, Ready, Waker

T = TypeVar("T")
S = TypeVar("S", bound="_SenderHandle[Any]")


class SendError(Exception, Generic[T]):
    def __init__(self, value: T) -> None:
        super().__init__("sending on a channel whose receiver was dropped")
        self.value = value


def _keep_latest(stored: Waker | None, new: Waker) -> Waker:
    """Rust's `if !w.will_wake(new) { *w = new.clone() }`."""
    if stored is not None and stored.will_wake(new):
        return stored
    return new


class _Channel(Generic[T]):
    def __init__(self, capacity: int = 0) -> None:
        self.buffer: deque[T] = deque()
        self.senders = 1
        self.closed = False
        self.rx_waker: Waker | None = None
        self.free = capacity
        self.tickets = itertools.count()
        self.waiting: OrderedDict[int, Send[T]] = OrderedDict()

    def wake_receiver(self) -> None:
        waker, self.rx_waker = self.rx_waker, None
        if waker is not None:
            waker.wake()

    def release_slot(self) -> None:
        if self.waiting:
            _ticket, send = self.waiting.popitem(last=False)
            send.granted = True
            send.wake()
        else:
            self.free += 1


class _SenderHandle(Generic[T]):
    __slots__ = ("_chan", "_dropped")

    def __init__(self, chan: _Channel[T]) -> None:
        self._chan = chan
        self._dropped = False

    def clone(self: S) -> S:
        self._chan.senders += 1
        return type(self)(self._chan)

    def drop(self) -> None:
        if self._dropped:
            return
        self._dropped = True
        self._chan.senders -= 1
        if self._chan.senders == 0:
            self._chan.wake_receiver()


class Sender(_SenderHandle[T]):
    __slots__ = ()

    def send(self, value: T) -> None:
        if self._chan.closed:
            raise SendError(value)
        self._chan.buffer.append(value)
        self._chan.wake_receiver()


class BoundedSender(_SenderHandle[T]):
    __slots__ = ()

    def send(self, value: T) -> Send[T]:
        return Send(self._chan, value)


class Send(Future[None], Generic[T]):
    def __init__(self, chan: _Channel[T], value: T) -> None:
        self.chan = chan
        self.value = value
        self.ticket: int | None = None   # set while waiting in the queue
        self.granted = False
        self.finished = False
        self.waker: Waker | None = None

    def wake(self) -> None:
        if self.waker is not None:
            self.waker.wake()

    def poll(self, cx: Context) -> Poll[None]:
        chan = self.chan
        if chan.closed:
            self.finished = True
            raise SendError(self.value)
        if self.granted:
            pass
        elif self.ticket is None and chan.free > 0:
            chan.free -= 1
        else:
            if self.ticket is None:
                self.ticket = next(chan.tickets)
                chan.waiting[self.ticket] = self
            self.waker = _keep_latest(self.waker, cx.waker)
            return Pending
        self.finished = True
        chan.buffer.append(self.value)
        chan.wake_receiver()
        return Ready(None)

    def drop(self) -> None:
        chan = self.chan
        if self.finished or chan.closed:
            return
        if self.granted:
            self.granted = False
            chan.release_slot()
        elif self.ticket is not None:
            chan.waiting.pop(self.ticket, None)
        self.finished = True


class Recv(Future[T | None], Generic[T]):
    def __init__(self, chan: _Channel[T]) -> None:
        self.chan = chan

    def poll(self, cx: Context) -> Poll[T | None]:
        chan = self.chan
        if len(chan.buffer) > 0:
            value = chan.buffer.popleft()
            chan.release_slot()            # unbounded: counts a slot nobody uses
            return Ready(value)
        if chan.senders == 0:
            return Ready(None)
        chan.rx_waker = _keep_latest(chan.rx_waker, cx.waker)
        return Pending

    def drop(self) -> None:
        self.chan.rx_waker = None


class Receiver(Generic[T]):
    __slots__ = ("_chan", "_dropped")

    def __init__(self, chan: _Channel[T]) -> None:
        self._chan = chan
        self._dropped = False

    def recv(self) -> Recv[T]:
        return Recv(self._chan)

    def drop(self) -> None:
        if self._dropped:
            return
        self._dropped = True
        chan = self._chan
        chan.closed = True
        chan.buffer.clear()
        chan.rx_waker = None
        waiting = list(chan.waiting.values())
        chan.waiting.clear()
        for send in reversed(waiting):   # newest first: the stub leaves the order open
            send.wake()


def channel() -> tuple[Sender[T], Receiver[T]]:
    chan: _Channel[T] = _Channel()
    return Sender(chan), Receiver(chan)


def bounded(capacity: int) -> tuple[BoundedSender[T], Receiver[T]]:
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    chan: _Channel[T] = _Channel(capacity)
    return BoundedSender(chan), Receiver(chan)
