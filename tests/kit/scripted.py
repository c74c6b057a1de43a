"""Scripted futures: a leaf future whose behaviour the test decides."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

from kit.failures import fail
from stdtask import Context, Future, Pending, Poll, Ready, Waker

T = TypeVar("T")


class ScriptedFuture(Future[T], Generic[T]):
    """Pending `pending` times, then `Ready(value)`; or Pending until `complete()` is called.

    Records what the code under test did to it: `polls`, `drops`, the latest `waker`.
    With `self_wake=True` it wakes its waker before each Pending (like `yield_now`);
    otherwise the test wakes it with `wake()` / `complete()`.
    A poll after Ready, or a poll after drop, fails the test with `misuse_hint`.
    """

    @overload
    def __init__(
        self: ScriptedFuture[None], value: None = None, pending: int | None = 0, *,
        self_wake: bool = False, name: str = "scripted future", misuse_hint: str = "poll_after_ready",
    ) -> None: ...

    @overload
    def __init__(
        self, value: T, pending: int | None = 0, *,
        self_wake: bool = False, name: str = "scripted future", misuse_hint: str = "poll_after_ready",
    ) -> None: ...

    def __init__(
        self,
        value: Any = None,  # without a value, a ScriptedFuture[None] (the overloads above)
        pending: int | None = 0,
        *,
        self_wake: bool = False,
        name: str = "scripted future",
        misuse_hint: str = "poll_after_ready",
    ) -> None:
        self.value: T = value
        self.remaining = pending  # None: until complete() is called
        self.self_wake = self_wake
        self.name = name
        self.misuse_hint = misuse_hint
        self.polls = 0
        self.drops = 0
        self.finished = False
        self.waker: Waker | None = None

    def poll(self, cx: Context) -> Poll[T]:
        if self.finished:
            fail(self.misuse_hint, f"{self.name} was polled again after it returned Ready.")
        if self.drops:
            fail(self.misuse_hint, f"{self.name} was polled after it was dropped.")
        self.polls += 1
        if self.remaining == 0:
            self.finished = True
            return Ready(self.value)
        if self.remaining is not None:
            self.remaining -= 1
        self.waker = cx.waker
        if self.self_wake:
            cx.waker.wake()
        return Pending

    def complete(self, value: T | None = None) -> None:
        """Make the next poll Ready (with `value` if given) and wake the latest waker."""
        if value is not None:
            self.value = value
        self.remaining = 0
        self.wake()

    def wake(self) -> None:
        if self.waker is not None:
            self.waker.wake()

    def drop(self) -> None:
        self.drops += 1

    @property
    def dropped(self) -> bool:
        return self.drops > 0

    def __repr__(self) -> str:
        return f"<{self.name}: {self.polls} polls, {'done' if self.finished else 'pending'}>"
