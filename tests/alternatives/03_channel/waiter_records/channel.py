"""Blocked sends as [waker, granted] records in a list; free slots computed; senders as a set of ids.

A correct alternative to the reference: each blocked send owns a small mutable record
`[waker, granted]`, queued in a plain list (first in, first out); the channel keeps no
free-slot counter but computes it as `capacity - len(buffer) - slots promised`; the live
senders are a set of handle ids rather than a count.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, Ready, Waker

T = TypeVar("T")
S = TypeVar("S", bound="_SenderHandle[Any]")

WAKER, GRANTED = 0, 1   # the fields of a waiter record


class SendError(Exception, Generic[T]):
    def __init__(self, value: T) -> None:
        super().__init__("sending on a channel whose receiver was dropped")
        self.value = value


class _Channel(Generic[T]):
    def __init__(self, capacity: int = 0) -> None:
        self.capacity = capacity
        self.values: list[T] = []
        self.live: set[int] = set()          # id() of every live sender handle
        self.receiver_gone = False
        self.rx_waker: Waker | None = None
        self.queue: list[list[Any]] = []     # waiter records, oldest first
        self.promised = 0                    # slots granted to a send not polled since

    def room(self) -> int:
        return self.capacity - len(self.values) - self.promised

    def notify_receiver(self) -> None:
        if self.rx_waker is not None:
            waker = self.rx_waker
            self.rx_waker = None
            waker.wake()

    def grant_free_slots(self) -> None:
        """Promise every free slot to the oldest waiting records, then wake them."""
        woken = []
        while self.queue and self.room() > 0:
            record = self.queue.pop(0)
            record[GRANTED] = True
            self.promised += 1
            woken.append(record)
        for record in woken:
            record[WAKER].wake()


class _SenderHandle(Generic[T]):
    __slots__ = ("_chan", "_dropped")

    def __init__(self, chan: _Channel[T]) -> None:
        self._chan = chan
        self._dropped = False

    def clone(self: S) -> S:
        twin = type(self)(self._chan)
        self._chan.live.add(id(twin))
        return twin

    def drop(self) -> None:
        if self._dropped:
            return
        self._dropped = True
        self._chan.live.discard(id(self))
        if not self._chan.live:
            self._chan.notify_receiver()


class Sender(_SenderHandle[T]):
    __slots__ = ()

    def send(self, value: T) -> None:
        if self._chan.receiver_gone:
            raise SendError(value)
        self._chan.values.append(value)
        self._chan.notify_receiver()


class BoundedSender(_SenderHandle[T]):
    __slots__ = ()

    def send(self, value: T) -> Send[T]:
        return Send(self._chan, value)


class Send(Future[None], Generic[T]):
    def __init__(self, chan: _Channel[T], value: T) -> None:
        self.chan = chan
        self.value = value
        self.record: list[Any] | None = None   # [waker, granted] while queued or granted
        self.over = False

    def poll(self, cx: Context) -> Poll[None]:
        chan = self.chan
        if chan.receiver_gone:
            self.over = True
            raise SendError(self.value)
        if self.record is None:
            if chan.queue or chan.room() <= 0:
                self.record = [cx.waker, False]
                chan.queue.append(self.record)
                return Pending
        elif self.record[GRANTED]:
            chan.promised -= 1
        else:
            self.record[WAKER] = cx.waker
            return Pending
        self.over = True
        self.record = None
        chan.values.append(self.value)
        chan.notify_receiver()
        return Ready(None)

    def drop(self) -> None:
        chan, record = self.chan, self.record
        self.record = None
        if self.over or record is None or chan.receiver_gone:
            return
        if record[GRANTED]:
            chan.promised -= 1
            chan.grant_free_slots()
        else:
            chan.queue.remove(record)


class Recv(Future[T | None], Generic[T]):
    def __init__(self, chan: _Channel[T]) -> None:
        self.chan = chan

    def poll(self, cx: Context) -> Poll[T | None]:
        chan = self.chan
        if len(chan.values):
            value = chan.values.pop(0)
            chan.grant_free_slots()
            return Ready(value)
        if not chan.live:
            return Ready(None)
        chan.rx_waker = cx.waker
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
        chan.receiver_gone = True
        chan.values = []
        chan.rx_waker = None
        records, chan.queue = chan.queue, []
        for record in records:
            record[WAKER].wake()


def _open(chan: _Channel[T], handle: type[S]) -> S:
    sender = handle(chan)
    chan.live.add(id(sender))
    return sender


def channel() -> tuple[Sender[T], Receiver[T]]:
    chan: _Channel[T] = _Channel()
    return _open(chan, Sender), Receiver(chan)


def bounded(capacity: int) -> tuple[BoundedSender[T], Receiver[T]]:
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    chan: _Channel[T] = _Channel(capacity)
    return _open(chan, BoundedSender), Receiver(chan)
