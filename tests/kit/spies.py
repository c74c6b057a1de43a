"""Spy wakers and a manual task: poll a future by hand and see exactly who was woken.

Like tokio-test's `task::spawn` (`is_woken`), plus the checks of futures-testing: each poll
gets a *fresh* waker, so a future that keeps an old one (stale waker) or none at all
(lost waker) is caught. A lost waker is seen with a weak reference: after `Pending`, if
nothing but the test holds the waker, nobody can ever wake the task.
"""

from __future__ import annotations

import weakref
from typing import Any, Generic, TypeVar

from kit.failures import fail
from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker

T = TypeVar("T")


class SpyWaker(Waker):
    """A waker that counts its wakes.

    `journal`/`slot`: where the wakes are also recorded, so a test still knows about a
    wake after the future (rightly) let go of the waker.
    """

    __slots__ = ("_journal", "_slot", "name", "wake_count")

    def __init__(self, name: str = "waker", journal: list[int] | None = None, slot: int = 0) -> None:
        super().__init__()
        self.wake_count = 0
        self.name = name
        self._journal = journal
        self._slot = slot

    @property
    def woken(self) -> bool:
        return self.wake_count > 0

    def wake(self) -> None:
        self.wake_count += 1
        if self._journal is not None:
            self._journal[self._slot] += 1

    def __repr__(self) -> str:
        return f"<SpyWaker {self.name} woken {self.wake_count}x>"


class _TrackedContext(Context):
    """A `Context` a weak reference can follow: did the future keep `cx` itself?"""

    __slots__ = ("__weakref__",)


def poll_once(future: Future[T], waker: Waker | None = None) -> Poll[T]:
    """Poll `future` once with `waker` (a fresh spy if none)."""
    cx = Context(waker if waker is not None else SpyWaker())
    try:
        return future.poll(cx)
    finally:
        cx.expire()  # Rust: the `&mut Context<'_>` borrow ends with the poll


class ManualTask(Generic[T]):
    """Poll one future by hand, with a fresh spy waker per poll.

    `is_woken`: the waker of the latest poll was woken (during or after that poll).
    `stale_wakes`: wakes, since the latest poll, that went only to wakers of earlier polls.
    After every `Pending`, the task checks that someone still holds the waker (or already
    woke it); if not, it fails with `stale_waker_hint` when a waker of an earlier poll is
    still held (the future kept the old one), with `context_outlived_poll` when the future
    kept the poll's `Context` itself (whose waker expired with the poll), else with
    `lost_waker_hint`.
    """

    def __init__(
        self,
        future: Future[T],
        *,
        lost_waker_hint: str = "lost_waker",
        stale_waker_hint: str = "stale_waker",
        what: str = "the future",
    ) -> None:
        self.future = future
        self.what = what
        self.lost_waker_hint = lost_waker_hint
        self.stale_waker_hint = stale_waker_hint
        self._older_refs: list[weakref.ref[SpyWaker]] = []  # wakers of earlier polls
        self.result: Poll[T] | None = None
        self._wakes: list[int] = []  # wakes per poll's waker, by poll index
        self._stale_base = 0  # wakes of older wakers already counted at the latest poll
        self._latest_ref: weakref.ref[SpyWaker] | None = None

    @property
    def subject(self) -> str:
        """`what`, capitalised to start a sentence ("the flag's future" -> "The flag's future")."""
        return self.what[:1].upper() + self.what[1:]

    @property
    def polls(self) -> int:
        return len(self._wakes)

    def poll(self) -> Poll[T]:
        self._stale_base = sum(self._wakes)
        if self._latest_ref is not None:
            self._older_refs.append(self._latest_ref)
        self._wakes.append(0)
        spy = SpyWaker(f"waker of poll #{self.polls}", self._wakes, self.polls - 1)
        self._latest_ref = weakref.ref(spy)
        cx = _TrackedContext(spy)
        try:
            result = self.future.poll(cx)
        finally:
            cx.expire()  # Rust: the `&mut Context<'_>` borrow ends with the poll
        self.result = result
        if result is Pending and not spy.woken:
            del spy
            if self._latest_ref() is None:
                context_ref = weakref.ref(cx)
                del cx
                self._fail_waker_dropped(context_kept=context_ref() is not None)
        return result

    def _fail_waker_dropped(self, context_kept: bool = False) -> None:
        if context_kept:
            fail(
                "context_outlived_poll",
                f"{self.subject} returned Pending and kept the Context `cx` of that poll "
                "instead of the waker inside it. The context expired when the poll returned, "
                "so whoever wakes the task later would find no waker in it.",
            )
        if any(ref() is not None for ref in self._older_refs):
            fail(
                self.stale_waker_hint,
                f"{self.subject} was polled again with a new waker and returned Pending, but kept "
                "a waker from an earlier poll instead of the new one. Waking the old waker may "
                "not reach the task that is waiting now.",
            )
        fail(
            self.lost_waker_hint,
            f"{self.subject} returned Pending but kept no reference to the waker it was given, so "
            "nothing can ever wake this task again.",
        )

    def poll_ready(self, hint: str, message: str) -> T:
        """Poll and require `Ready`; returns its value."""
        result = self.poll()
        if not isinstance(result, Ready):
            fail(hint, message)
        return result.value

    def drop(self) -> None:
        self.future.drop()

    @property
    def wake_count(self) -> int:
        """Wakes of the latest poll's waker."""
        return self._wakes[-1] if self._wakes else 0

    @property
    def is_woken(self) -> bool:
        return self.wake_count > 0

    @property
    def stale_wakes(self) -> int:
        """Wakes since the latest poll that went to wakers of earlier polls."""
        return sum(self._wakes[:-1]) - self._stale_base

    @property
    def waker_held(self) -> bool:
        """Does anyone (other than this task) still hold the latest poll's waker?"""
        return self._latest_ref is not None and self._latest_ref() is not None


def require_ready(result: Poll[Any], hint: str, message: str) -> Any:
    if not isinstance(result, Ready):
        fail(hint, message)
    return result.value


def expect_polled_after_completion_detected(future: Future[Any], hint: str, what: str) -> None:
    """Poll a finished future again: it must raise `PolledAfterCompletion`."""
    try:
        result = poll_once(future)
    except PolledAfterCompletion:
        return
    fail(
        hint,
        f"{what} was polled again after returning Ready and answered {result!r} "
        "instead of raising PolledAfterCompletion.",
    )
