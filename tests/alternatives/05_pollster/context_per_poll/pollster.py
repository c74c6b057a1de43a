"""A fresh Context per poll (expired when the poll returns), and a nesting depth counter.

Stage 05 written another way the stub allows: every poll gets its own `Context(signal)`,
expired after the poll as Rust's `Context<'_>` borrow ends; "inside block_on" is a depth
counter in a `threading.local`; wake only notifies when the flag was not already set.
"""

from __future__ import annotations

import threading
from typing import TypeVar

from stdtask import Context, Pending, Ready, Waker, into_future
from stdtask.future import IntoFuture

T = TypeVar("T")


class NestedBlockOn(RuntimeError):
    """`block_on` was called from inside a future that `block_on` is polling, on one thread."""


class Signal(Waker):
    """The parking spot of one `block_on` call, and its waker."""

    def __init__(self) -> None:
        super().__init__()
        self.cond = threading.Condition()
        self.notified = False

    def wake(self) -> None:
        with self.cond:
            if not self.notified:  # an unconsumed wake already woke the waiter
                self.notified = True
                self.cond.notify()

    def wait(self) -> None:
        with self.cond:
            while not self.notified:
                self.cond.wait()
            self.notified = False


class _Depth(threading.local):
    value = 0


_DEPTH = _Depth()


def block_on(future: IntoFuture[T]) -> T:
    if _DEPTH.value:
        raise NestedBlockOn("block_on() inside block_on() on the same thread")
    fut = into_future(future)
    signal = Signal()
    _DEPTH.value += 1
    try:
        while True:
            cx = Context(signal)
            try:
                result = fut.poll(cx)
            finally:
                cx.expire()
            if result is Pending:
                signal.wait()
            elif isinstance(result, Ready):
                return result.value
            else:
                raise TypeError(f"poll() returned {result!r}, not a Poll")
    finally:
        _DEPTH.value -= 1
