"""Stage 03: an async channel, many senders and one receiver (Rust: `tokio::sync::mpsc`).

All handles share one `_Channel`: a queue of values plus the wakers of whoever waits.
Everything runs on one thread (the executor's), so the shared state needs no lock: the
Rust parallel is `Rc<RefCell<Chan<T>>>`; a thread-safe channel puts the same state in an
`Arc<Mutex<Chan<T>>>`.

- `channel()`: unbounded. `Sender.send` never waits; `Receiver.recv()` is a future.
- `bounded(capacity)`: `BoundedSender.send` is a future that waits for a free slot.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, Ready, Waker

T = TypeVar("T")
S = TypeVar("S", bound="_SenderHandle[Any]")


class SendError(Exception, Generic[T]):
    """The receiver is gone; `value` is handed back (Rust: `mpsc::error::SendError<T>(pub T)`)."""

    def __init__(self, value: T) -> None:
        super().__init__("sending on a channel whose receiver was dropped")
        self.value = value


class _Channel(Generic[T]):
    """The state every handle shares (Rust: the `Chan<T>` behind the `Rc`/`Arc`)."""

    def __init__(self, capacity: int = 0) -> None:
        self.buffer: deque[T] = deque()
        self.senders = 1                   # live sender handles (Rust: the Arc's sender count)
        self.closed = False                # the receiver was dropped
        self.rx_waker: Waker | None = None  # the receiver's latest waker, while it waits
        # Bounded channels only (tokio: a semaphore of `capacity` permits + the queue):
        self.free = capacity               # free slots promised to nobody (unbounded: unused)
        # Trade-off: a deque makes cancelling a waiter O(n); tokio's intrusive list, trio's OrderedDict: O(1).
        self.blocked: deque[Send[T]] = deque()  # blocked sends, first come first served

    def wake_receiver(self) -> None:
        waker = self.rx_waker
        if waker is not None:
            self.rx_waker = None
            waker.wake()

    def release_slot(self) -> None:
        """A slot became free: promise it to the first blocked send, else keep it."""
        if self.blocked:
            self.blocked.popleft()._grant()
        else:
            self.free += 1


class _SenderHandle(Generic[T]):
    """What both kinds of sender share: cloning and dropping (Rust: `Clone` and `Drop`)."""

    __slots__ = ("_chan", "_dropped")

    def __init__(self, chan: _Channel[T]) -> None:
        self._chan = chan
        self._dropped = False

    def clone(self: S) -> S:
        """Another handle to the same channel (Rust: `tx.clone()`)."""
        self._chan.senders += 1
        return type(self)(self._chan)

    def drop(self) -> None:
        """Rust's `Drop`: once the last sender is gone, the receiver sees the end."""
        if self._dropped:
            return
        self._dropped = True
        chan = self._chan
        chan.senders -= 1
        if chan.senders == 0:
            chan.wake_receiver()           # a waiting recv() must now see Ready(None)


class Sender(_SenderHandle[T]):
    """Sending half of an unbounded channel (Rust: `mpsc::UnboundedSender<T>`)."""

    __slots__ = ()

    def send(self, value: T) -> None:
        """Queue `value` at once; raise `SendError(value)` if the receiver is gone."""
        chan = self._chan
        if chan.closed:
            raise SendError(value)         # Rust: `Err(SendError(value))`
        chan.buffer.append(value)          # the value is in the channel...
        chan.wake_receiver()               # ...before anyone is told about it


class BoundedSender(_SenderHandle[T]):
    """Sending half of a bounded channel (Rust: `mpsc::Sender<T>`)."""

    __slots__ = ()

    def send(self, value: T) -> Send[T]:
        """A future: Ready(None) once `value` is queued; `SendError` if the receiver is gone."""
        return Send(self._chan, value)


_NEW, _WAITING, _GRANTED, _DONE = range(4)


class Send(Future[None], Generic[T]):
    """`tx.send(value)` on a bounded channel: waits for a slot, in FIFO order."""

    __slots__ = ("_chan", "_state", "_value", "_waker")

    def __init__(self, chan: _Channel[T], value: T) -> None:
        self._chan = chan
        self._value = value
        self._state = _NEW
        self._waker: Waker | None = None

    def _grant(self) -> None:
        """A slot was freed for us (Rust: a semaphore permit handed to the first waiter)."""
        self._state = _GRANTED             # state first...
        self._wake()                       # ...then wake: the woken task may run at once

    def _wake(self) -> None:
        if self._waker is not None:
            self._waker.wake()

    def poll(self, cx: Context) -> Poll[None]:
        chan = self._chan
        if chan.closed:
            self._state = _DONE
            raise SendError(self._value)
        if self._state == _NEW and chan.free > 0:
            chan.free -= 1                 # a free slot and nobody ahead of us: take it
        elif self._state != _GRANTED:
            if self._state == _NEW:        # full: queue up behind the earlier sends
                self._state = _WAITING
                chan.blocked.append(self)
            self._waker = cx.waker         # our own slot, always the latest waker
            return Pending
        self._state = _DONE
        chan.buffer.append(self._value)
        chan.wake_receiver()
        return Ready(None)

    def drop(self) -> None:
        """Cancelled: give up our place in the queue, or pass on the slot we were given."""
        chan = self._chan
        if self._state == _WAITING and not chan.closed:
            chan.blocked.remove(self)
        elif self._state == _GRANTED and not chan.closed:
            chan.release_slot()
        self._state = _DONE


class Recv(Future[T | None], Generic[T]):
    """`rx.recv()`: Ready(value), Ready(None) at the end of the channel, or Pending."""

    __slots__ = ("_chan",)

    def __init__(self, chan: _Channel[T]) -> None:
        self._chan = chan

    def poll(self, cx: Context) -> Poll[T | None]:
        chan = self._chan
        if chan.buffer:                    # buffered values first, even after the senders left
            value = chan.buffer.popleft()
            chan.release_slot()            # bounded: a blocked sender may go on
            return Ready(value)
        if chan.senders == 0:
            return Ready(None)             # Rust: `None`, the end of the channel
        chan.rx_waker = cx.waker           # the latest waker replaces any older one
        return Pending

    def drop(self) -> None:
        """Cancel-safe: the value stays in the channel, only our waker goes."""
        self._chan.rx_waker = None


class Receiver(Generic[T]):
    """Receiving half (Rust: `mpsc::Receiver<T>`); one `recv()` at a time (`&mut self`)."""

    __slots__ = ("_chan", "_dropped")

    def __init__(self, chan: _Channel[T]) -> None:
        self._chan = chan
        self._dropped = False

    def recv(self) -> Recv[T]:
        """The next value, in send order; None once every sender is gone and it is drained."""
        return Recv(self._chan)

    def drop(self) -> None:
        """Rust's `Drop`: close the channel; blocked senders are woken and get their values back."""
        if self._dropped:
            return
        self._dropped = True
        chan = self._chan
        chan.closed = True
        chan.buffer.clear()
        chan.rx_waker = None
        blocked, chan.blocked = chan.blocked, deque()
        for send in blocked:
            send._wake()


def channel() -> tuple[Sender[T], Receiver[T]]:
    """An unbounded channel (Rust: `mpsc::unbounded_channel()`)."""
    chan: _Channel[T] = _Channel()
    return Sender(chan), Receiver(chan)


def bounded(capacity: int) -> tuple[BoundedSender[T], Receiver[T]]:
    """A channel holding at most `capacity` values (Rust: `mpsc::channel(capacity)`)."""
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    chan: _Channel[T] = _Channel(capacity)
    return BoundedSender(chan), Receiver(chan)
