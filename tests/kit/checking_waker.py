"""State-checking wakers: look at the primitive at the very moment `wake()` runs.

A synchronisation primitive (channel, mutex, timer driver) must finish updating its state
*before* it wakes anyone: the woken task may be polled at once, on another thread or by an
executor that polls inline, and it must then see the state the wake announced. A spy that
only counts wakes cannot see the difference; these can.

- `CheckingWaker(on_wake)`: a waker that calls `on_wake()` inside `wake()` (inspect the
  primitive there, e.g. call `try_lock()` or check an invariant, and `fail(...)` if wrong).
  A failure raised there is also kept in `.failure`, in case the code under test swallowed it.
- `InlineTask(future)`: a task polled from inside its own `wake()`, the worst (and legal)
  timing for whoever woke it. Its results are in `.results`; `on_ready(value)` runs when
  the future finishes, still inside that `wake()` (e.g. release a lock at once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, Ready, Waker

T = TypeVar("T")


class CheckingWaker(Waker):
    """A waker that runs `on_wake()` each time it is woken, and counts the wakes."""

    __slots__ = ("failure", "name", "on_wake", "wake_count")

    def __init__(self, on_wake: Callable[[], None], name: str = "checking waker") -> None:
        super().__init__()
        self.on_wake = on_wake
        self.name = name
        self.wake_count = 0
        self.failure: BaseException | None = None

    @property
    def woken(self) -> bool:
        return self.wake_count > 0

    def wake(self) -> None:
        self.wake_count += 1
        try:
            self.on_wake()
        except BaseException as error:
            if self.failure is None:
                self.failure = error
            raise

    def reraise(self) -> None:
        """Raise the first failure seen inside `wake()`, if any (even if it was swallowed)."""
        if self.failure is not None:
            raise self.failure

    def __repr__(self) -> str:
        return f"<CheckingWaker {self.name} woken {self.wake_count}x>"


class InlineTask(Generic[T]):
    """A task whose waker polls the future right away, inside `wake()`.

    Call `poll()` once to start it; every later wake polls it again at once. A wake that
    arrives while the task is being polled (it woke itself) is remembered and followed by
    one more poll, as an executor would. After `Ready` the task stops polling.
    """

    def __init__(
        self, future: Future[T], *, on_ready: Callable[[T], Any] | None = None, name: str = "task"
    ) -> None:
        self.future = future
        self.on_ready = on_ready
        self.name = name
        self.results: list[Poll[T]] = []
        self.waker = CheckingWaker(self._woken, name=f"waker of {name}")
        self._polling = False
        self._woken_while_polling = False

    @property
    def done(self) -> bool:
        return bool(self.results) and self.results[-1] is not Pending

    @property
    def polling(self) -> bool:
        """A poll of the future is running right now (for instance inside a `wake()`)."""
        return self._polling

    @property
    def value(self) -> T:
        result = self.results[-1]
        assert isinstance(result, Ready)
        return result.value

    def poll(self) -> Poll[T]:
        self._polling = True
        try:
            while True:
                self._woken_while_polling = False
                cx = Context(self.waker)
                try:
                    result = self.future.poll(cx)
                finally:
                    cx.expire()
                self.results.append(result)
                if result is not Pending or not self._woken_while_polling:
                    break
        finally:
            self._polling = False
        if isinstance(result, Ready) and self.on_ready is not None:
            self.on_ready(result.value)
        return result

    def _woken(self) -> None:
        if self._polling:
            self._woken_while_polling = True
        elif not self.done:
            self.poll()
