"""`Waker` and `Context` (Rust: `std::task::{Waker, Context, Wake}`).

A waker is how a future that returned `Pending` gets polled again: the future keeps the
waker from the *latest* poll, and whoever makes progress possible calls `wake()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable


@runtime_checkable
class Wake(Protocol):
    """Anything with a `wake()` method can back a waker (Rust: `impl Wake for W`)."""

    def wake(self) -> None: ...


WakeTarget = Wake | Callable[[], None]


class Waker:
    """A handle that schedules a task to be polled again.

    Build one from a callable or from a `Wake` object. An executor can also subclass
    `Waker` and override `wake()`, making the task its own waker with no extra object
    (what Rust does with `Waker::from(Arc<Task>)`).

    Storing a waker is Python's `waker.clone()`: keep the reference.
    """

    __slots__ = ("__weakref__", "_target")

    def __init__(self, target: WakeTarget | None = None) -> None:
        self._target = target

    def wake(self) -> None:
        """Schedule the task this waker belongs to (Rust: `wake` / `wake_by_ref`)."""
        target = self._target
        if target is None:
            return
        if callable(target):
            target()
        else:
            target.wake()

    def will_wake(self, other: Waker) -> bool:
        """True if waking `other` would wake the same task (Rust: `Waker::will_wake`).

        Futures use it to skip replacing a stored waker that is already the right one.
        """
        if self is other:
            return True
        mine = self._target if self._target is not None else self
        theirs = other._target if other._target is not None else other
        return mine is theirs

    def __repr__(self) -> str:
        return f"<{type(self).__name__} for {self._target!r}>"


def noop_waker() -> Waker:
    """A waker that does nothing (Rust: `Waker::noop()`), for polling by hand in tests."""
    return Waker(_noop)


def _noop() -> None:
    return None


class Context:
    """What a future gets on each poll; today it carries just the waker (Rust: `Context`)."""

    __slots__ = ("waker",)

    def __init__(self, waker: Waker) -> None:
        self.waker = waker

    def __repr__(self) -> str:
        return f"Context({self.waker!r})"
