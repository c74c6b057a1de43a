"""Futures that panic, and a check for a waker that came from an expired `Context`.

- `Boom`: the exception a `RaisingFuture` raises; each test makes its own, so it can check
  that the very same object came out of the code under test (Rust: the panic unwinds).
- `RaisingFuture`: Pending `pending` times (or until `complete()`), then raises its error
  from `poll`. Records `polls` and `drops` like `ScriptedFuture`; a poll after it raised
  or after it was dropped fails the test with `misuse_hint`.
- `expired(waker)`: the waker was taken from a `Context` whose poll had already returned
  (a future kept `cx` and polled a child with it later).
"""

from __future__ import annotations

from typing import Any

from kit.failures import fail
from kit.scripted import ScriptedFuture
from stdtask import Context, ContextExpired, Poll, Waker, noop_waker


class Boom(Exception):
    """A child's panic, as the test raised it."""


class RaisingFuture(ScriptedFuture[Any]):
    """Pending `pending` times (None: until `complete()`), then raises `error` from `poll`."""

    def __init__(
        self,
        error: BaseException,
        pending: int | None = 0,
        *,
        self_wake: bool = False,
        name: str = "raising future",
        misuse_hint: str = "poll_after_ready",
    ) -> None:
        super().__init__(None, pending, self_wake=self_wake, name=name, misuse_hint=misuse_hint)
        self.error = error
        self.raised = False

    def poll(self, cx: Context) -> Poll[Any]:
        if self.raised:
            fail(self.misuse_hint, f"{self.name} was polled again after it raised {self.error!r}.")
        if self.remaining == 0 and not self.drops:
            self.polls += 1
            self.raised = True
            raise self.error
        return super().poll(cx)

    def __repr__(self) -> str:
        state = "raised" if self.raised else "pending"
        return f"<{self.name}: {self.polls} polls, {state}>"


def expired(waker: Waker | None) -> bool:
    """Is `waker` the waker of a `Context` whose poll has returned (using it raises)?"""
    if waker is None:
        return False
    try:
        waker.will_wake(noop_waker())
    except ContextExpired:
        return True
    return False
