"""Explicit acquire/release of the Signal's lock, and the wait loop written inside block_on.

Stage 05 written another way the stub allows: `Signal.wait` and `Signal.wake` take and
release `cond` by hand in `try/finally`; `block_on` skips the park when a wake is already
recorded (the flag is read under the lock); the nesting flag is a plain `threading.local()`.
"""

from __future__ import annotations

import threading
from typing import TypeVar

from stdtask import Context, Poll, Ready, Waker, into_future
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
        self.cond.acquire()
        try:
            self.notified = True
            self.cond.notify()
        finally:
            self.cond.release()

    def wait(self) -> None:
        self.cond.acquire()
        try:
            while not self.notified:
                self.cond.wait()
            self.notified = False
        finally:
            self.cond.release()

    def take(self) -> bool:
        """Consume a recorded wake without sleeping; True if there was one."""
        self.cond.acquire()
        try:
            woken, self.notified = self.notified, False
            return woken
        finally:
            self.cond.release()


_local = threading.local()


def block_on(future: IntoFuture[T]) -> T:
    if getattr(_local, "inside", False):
        raise NestedBlockOn("block_on() inside block_on() on the same thread")
    _local.inside = True
    try:
        fut = into_future(future)
        signal = Signal()
        cx = Context(signal)
        while True:
            match fut.poll(cx):
                case Ready(value):
                    return value
                case Poll.Pending:
                    if not signal.take():  # woken during the poll: poll again at once
                        signal.wait()
                case other:
                    raise TypeError(f"poll() returned {other!r}, not a Poll")
    finally:
        _local.inside = False
