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
    """What a future gets on each poll; today it carries just the waker (Rust: `Context<'_>`).

    Valid only during the poll it was passed to, as Rust's borrowed `&mut Context<'_>` is: a
    future keeps `cx.waker` (Rust: `cx.waker().clone()`), never `cx` itself. Whoever polls may
    call `expire()` when the poll returns (the test kit always does); from then on the
    context's waker raises `ContextExpired` when used, naming the rule.
    """

    __slots__ = ("waker",)

    def __init__(self, waker: Waker) -> None:
        self.waker = waker

    def expire(self) -> None:
        """End this context's lifetime: its poll has returned (Rust: the borrow ends)."""
        self.waker = _EXPIRED_WAKER

    def __repr__(self) -> str:
        return f"Context({self.waker!r})"


class _ExpiredWaker(Waker):
    """The waker of a `Context` whose poll has returned: any use is the lifetime bug."""

    __slots__ = ()

    def wake(self) -> None:
        from stdtask.errors import ContextExpired

        raise ContextExpired(
            "a Context was used after the poll it was passed to had returned. In Rust "
            "`Context<'_>` lives only for one poll and cannot be stored: keep `cx.waker`, "
            "never `cx`."
        )

    def will_wake(self, other: Waker) -> bool:
        self.wake()
        return False

    def __repr__(self) -> str:
        return "<waker of an expired Context>"


_EXPIRED_WAKER = _ExpiredWaker()
