"""Signal.wait with Condition.wait_for, notify_all, and an Enter guard used as a context manager.

Stage 05 written another way the stub allows: the predicate loop is `cond.wait_for`, wake
notifies every waiter, the nesting flag is set and reset by a small guard object (Rust's
`Enter` with its `Drop`), and the poll result is told apart with `isinstance`.
"""

from __future__ import annotations

import threading
from types import TracebackType
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
        with self.cond:
            self.notified = True
            self.cond.notify_all()  # one waiter at most: notify_all is the same, harmlessly

    def wait(self) -> None:
        with self.cond:
            self.cond.wait_for(lambda: self.notified)  # loops over spurious returns itself
            self.notified = False


_state = threading.local()


class _Enter:
    """Marks this thread as inside block_on for the duration of a `with` block."""

    def __enter__(self) -> _Enter:
        if getattr(_state, "entered", False):
            raise NestedBlockOn("block_on() inside block_on() on the same thread")
        _state.entered = True
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        _state.entered = False


def block_on(future: IntoFuture[T]) -> T:
    fut = into_future(future)
    with _Enter():
        signal = Signal()
        cx = Context(signal)
        while True:
            result: Poll[T] = fut.poll(cx)
            if isinstance(result, Ready):
                return result.value
            signal.wait()
