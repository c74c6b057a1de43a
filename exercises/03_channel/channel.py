"""Stage 03: an async channel, many senders and one receiver (Rust: `tokio::sync::mpsc`).

Part 1, unbounded: `channel()`, `Sender.send/clone/drop`, `Receiver.recv/drop`, `Recv`.
Part 2, bounded: `bounded(capacity)`, `BoundedSender.send` returns a `Send` future that
waits for a free slot. The tests go through part 1 first; `grade` after each method.

All handles share one `_Channel` object: the values in flight plus the wakers of whoever
waits. Everything runs on one thread (the executor's), so no lock is needed: in Rust this
is `Rc<RefCell<Chan<T>>>` (a thread-safe channel puts it in an `Arc<Mutex<..>>`).

Python has no `Drop`: a handle or future that is abandoned gets an explicit `drop()` call
(at most once for futures; a second `drop()` of a sender or receiver must do nothing).

The rules, in Rust's terms:
1. Values arrive in the order they were sent (FIFO), whichever sender sent them.
2. `recv()` returns `Pending` only after storing the waker of *that* poll (the latest one).
3. Whatever makes `recv()` able to finish (a send, the last sender leaving) wakes it,
   and the state it announces (the value, the end) is in place *before* `wake()` is called:
   the woken task may run at once, even before `wake()` returns.
4. The end of the channel (`None`) comes only when every sender (clones included) is gone
   *and* every value sent before has been received.
5. Once the receiver is gone, sending fails and hands the value back (`SendError`).
6. Dropping a pending `recv()` loses no value (cancel safety).
7. Bounded: a send waits only while the channel is full; each blocked send keeps its own
   latest waker; a freed slot goes to the blocked sends in the order they started waiting;
   a cancelled send gives up its place (and passes on a slot it was woken for); dropping the
   receiver wakes every blocked send, which then fails with `SendError`.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, Ready, Waker, todo

T = TypeVar("T")
S = TypeVar("S", bound="_SenderHandle[Any]")


class SendError(Exception, Generic[T]):
    """The receiver is gone; `value` is handed back (Rust: `mpsc::error::SendError<T>(pub T)`).

    Given: raise `SendError(value)` where Rust would return `Err(SendError(value))`.
    """

    def __init__(self, value: T) -> None:
        super().__init__("sending on a channel whose receiver was dropped")
        self.value = value


class _Channel(Generic[T]):
    """The state every handle shares (Rust: the `Chan<T>` behind the `Rc`/`Arc`).

    Decide what it holds. Part 1 needs at least: the buffered values (a `deque`), how many
    senders are alive, whether the receiver is gone, and the receiver's waker while it
    waits. Part 2 adds the free slots and the blocked sends, in order.
    `capacity` is 0 for an unbounded channel. Helper methods here are welcome.
    """

    def __init__(self, capacity: int = 0) -> None:
        todo("the shared state")


class _SenderHandle(Generic[T]):
    """What both kinds of sender share: `clone()` and `drop()` (Rust: `Clone` and `Drop`)."""

    __slots__ = ("_chan", "_dropped")

    def __init__(self, chan: _Channel[T]) -> None:
        self._chan = chan
        self._dropped = False

    def clone(self: S) -> S:
        """Another sender for the same channel (Rust: `tx.clone()`).

        The channel ends only when *every* sender, clones included, has been dropped.
        Return a handle of the same class: `type(self)(self._chan)`.
        """
        todo()

    def drop(self) -> None:
        """Rust's `Drop` for a sender. A second call does nothing.

        When the last sender goes, a receiver waiting in `recv()` must be woken: it will
        now see the end of the channel (once the buffered values are received).
        """
        todo()


class Sender(_SenderHandle[T]):
    """Sending half of an unbounded channel (Rust: `mpsc::UnboundedSender<T>`)."""

    __slots__ = ()

    def send(self, value: T) -> None:
        """Queue `value` at once and wake the receiver if it waits (Rust: `Ok(())`).

        If the receiver was dropped, raise `SendError(value)` (Rust: `Err(SendError(value))`).
        Never waits: an unbounded channel is never full.
        """
        todo()


class BoundedSender(_SenderHandle[T]):
    """Sending half of a bounded channel (Rust: `mpsc::Sender<T>`)."""

    __slots__ = ()

    def send(self, value: T) -> Send[T]:
        """A future that queues `value` as soon as there is room (Rust: `tx.send(v).await`).

        Nothing happens before its first poll (futures are lazy).
        """
        todo()


class Send(Future[None], Generic[T]):
    """`tx.send(value)` on a bounded channel: Ready(None) once `value` is in the channel.

    - A free slot and nobody waiting before it: queue the value, Ready(None) at once.
    - Full (or others already waiting): Pending, queued behind the earlier blocked sends,
      with its *own* latest waker. A freed slot goes to the first of them, which is woken
      and completes on its next poll; a send that starts later never overtakes it.
    - Receiver gone (before or while waiting, even once a slot was freed for it): the poll
      raises `SendError(value)`.
    - `drop()` while waiting (cancelled, e.g. by a timeout): leave the queue; if a slot was
      already freed for this send, hand it to the next one (or back to the channel if none
      waits). Its value is never sent.
    (Rust: tokio's bounded channel, a semaphore of `capacity` permits in front of the queue.)
    """

    def __init__(self, chan: _Channel[T], value: T) -> None:
        todo()

    def poll(self, cx: Context) -> Poll[None]:
        todo()

    def drop(self) -> None:
        todo()


class Recv(Future[T | None], Generic[T]):
    """`rx.recv()`: Ready(value), Ready(None) at the end of the channel, or Pending.

    - A buffered value: Ready(the oldest one), falsy ones (`0`, `""`, `[]`) included; on a
      bounded channel its slot is now free.
    - None buffered and every sender gone: Ready(None) (Rust: `None`).
    - Otherwise: store this poll's waker (replacing any older one) and return Pending.
    - `drop()` (cancelled): no value may be lost; a later `recv()` still gets it.
    """

    def __init__(self, chan: _Channel[T]) -> None:
        todo()

    def poll(self, cx: Context) -> Poll[T | None]:
        todo()

    def drop(self) -> None:
        todo()


class Receiver(Generic[T]):
    """Receiving half (Rust: `mpsc::Receiver<T>`). One `recv()` at a time (Rust: `&mut self`)."""

    __slots__ = ("_chan", "_dropped")

    def __init__(self, chan: _Channel[T]) -> None:
        self._chan = chan
        self._dropped = False

    def recv(self) -> Recv[T]:
        """The next value, in send order; None once every sender is gone and all is received.

        Typical use: `while (value := await rx.recv()) is not None: ...`
        (Rust: `while let Some(value) = rx.recv().await { .. }`).
        """
        todo()

    def drop(self) -> None:
        """Rust's `Drop` for the receiver: close the channel. A second call does nothing.

        Later sends fail with `SendError`; buffered values are discarded; every blocked
        send is woken, and fails with `SendError` when polled.
        """
        todo()


def channel() -> tuple[Sender[T], Receiver[T]]:
    """An unbounded channel (Rust: `mpsc::unbounded_channel()`): one sender, one receiver."""
    todo()


def bounded(capacity: int) -> tuple[BoundedSender[T], Receiver[T]]:
    """A channel holding at most `capacity` (>= 1) values (Rust: `mpsc::channel(capacity)`)."""
    todo()
