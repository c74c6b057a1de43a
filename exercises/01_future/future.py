"""Stage 01: leaf futures on the poll protocol.

Write five small futures. Each `poll(cx)` answers `Ready(value)` or `Pending`, and every
one follows Rust's `Future` contract:

1. Return `Pending` only after arranging for `cx.waker` to be woken when progress is
   possible. Keep the waker from the *latest* poll; earlier ones may be stale.
2. A poll may happen when nothing changed (a "spurious" poll): it must be safe to repeat.
   Side effects (submitting work, registering) happen once.
3. Polling again after `Ready` is a bug in the caller: raise `PolledAfterCompletion`.

Run `grade` after each class: the tests go through them in this order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker, todo

T = TypeVar("T")


class ReadyFuture(Future[T]):
    """Finishes on its first poll with `value` (Rust: `std::future::ready(value)`).

    - First poll: `Ready(value)`, whatever the value (None too).
    - Any later poll: raise `PolledAfterCompletion`.
    """

    def __init__(self, value: T) -> None:
        todo("store what poll will need")

    def poll(self, cx: Context) -> Poll[T]:
        todo()


class YieldNow(Future[None]):
    """Pending once, then Ready(None): gives other tasks a turn (Rust: `yield_now()`).

    - First poll: nothing outside will ever wake this future, so it must wake
      `cx.waker` itself before returning Pending.
    - Second poll: Ready(None). Any later poll: raise `PolledAfterCompletion`.
    """

    def __init__(self) -> None:
        todo()

    def poll(self, cx: Context) -> Poll[None]:
        todo()


class Countdown(Future[str]):
    """Pending `n` times (waking itself each time), then Ready("liftoff").

    `Countdown(0)` is ready on its first poll. After Ready: raise `PolledAfterCompletion`.
    The count is state that lives in the object between polls.
    """

    def __init__(self, n: int) -> None:
        todo()

    def poll(self, cx: Context) -> Poll[str]:
        todo()


class Flag:
    """A one-shot signal, set from outside (possibly from another thread).

    Shared by whoever calls `set()` and the one future from `wait()`; in Rust this
    shared state would be an `Arc<Mutex<...>>`. Guard it with `threading.Lock`.
    """

    def __init__(self) -> None:
        todo("the shared state: is it set? who is waiting?")

    def set(self) -> None:
        """Set the flag and wake the waiting future, if there is one.

        Setting twice is harmless. Record that the flag is set *before* waking: the woken
        task may be polled at once, inside `wake()`. And call `wake()` only after releasing
        your lock: a waker may run arbitrary code, even have the future polled on another
        thread and wait for that poll (which needs your lock).
        """
        todo()

    def wait(self) -> FlagFuture:
        """A future that is Ready(None) once the flag is set."""
        return FlagFuture(self)


class FlagFuture(Future[None]):
    """Ready(None) once its flag is set, even if it was set before the first poll.

    Until then: Pending, with the waker of the *latest* poll stored where `set()` finds
    it. It must not wake itself while waiting (that would be a busy loop).
    After Ready: raise `PolledAfterCompletion`.
    """

    def __init__(self, flag: Flag) -> None:
        self._flag = flag  # add whatever else `poll` needs to remember

    def poll(self, cx: Context) -> Poll[None]:
        todo()


class Device(Protocol):
    """A pretend I/O device (the tests provide one).

    `submit(payload, on_done)` starts an operation and returns at once; later (maybe from
    another thread, maybe even before `submit` returns) the device calls `on_done(result)`.
    """

    def submit(self, payload: str, on_done: Callable[[str], None]) -> None: ...


class Request(Future[str]):
    """Send `payload` to `device`; finish with the result the device reports.

    - Lazy: creating a Request does nothing; the first poll submits.
    - Exactly one submission however often it is polled.
    - When the device reports, first remember the result, then wake the latest waker
      (the woken task may be polled at once, inside `wake()`); the next poll returns
      Ready(result), whatever the result is ("" too). After Ready: raise
      `PolledAfterCompletion`.
    """

    def __init__(self, device: Device, payload: str) -> None:
        todo()

    def poll(self, cx: Context) -> Poll[str]:
        todo()
