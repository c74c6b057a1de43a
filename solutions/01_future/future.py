"""Stage 01: leaf futures on the poll protocol.

Every future here follows the contract of Rust's `Future::poll`:
- return `Ready(value)` when done, or `Pending` *after* arranging for the latest
  `cx.waker` to be woken;
- a poll must be safe to repeat (spurious polls), so side effects happen once;
- polling again after `Ready` is a bug, which we report by raising `PolledAfterCompletion`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker

T = TypeVar("T")


class ReadyFuture(Future[T]):
    """Finishes on its first poll with `value` (Rust: `std::future::ready(value)`)."""

    def __init__(self, value: T) -> None:
        self._value = value
        self._done = False

    def poll(self, cx: Context) -> Poll[T]:
        if self._done:
            raise PolledAfterCompletion("ReadyFuture polled after it returned Ready")
        self._done = True
        return Ready(self._value)


class YieldNow(Future[None]):
    """Pending once, then Ready(None): gives other tasks a turn (Rust: `yield_now()`)."""

    def __init__(self) -> None:
        self._yielded = False
        self._done = False

    def poll(self, cx: Context) -> Poll[None]:
        if self._done:
            raise PolledAfterCompletion("YieldNow polled after it returned Ready")
        if self._yielded:
            self._done = True
            return Ready(None)
        self._yielded = True
        # Nothing external will wake us, so we wake ourselves: "poll me again soon".
        cx.waker.wake()
        return Pending


class Countdown(Future[str]):
    """Pending `n` times (waking itself each time), then Ready("liftoff")."""

    def __init__(self, n: int) -> None:
        self._remaining = n
        self._done = False

    def poll(self, cx: Context) -> Poll[str]:
        if self._done:
            raise PolledAfterCompletion("Countdown polled after it returned Ready")
        if self._remaining == 0:
            self._done = True
            return Ready("liftoff")
        self._remaining -= 1  # the state lives in the object between polls
        cx.waker.wake()
        return Pending


class Flag:
    """A one-shot signal set from outside, possibly from another thread.

    The state shared by the setter and the waiting future is guarded by a lock, as it
    would be an `Arc<Mutex<State>>` in Rust. One waiter at a time.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._is_set = False
        self._waker: Waker | None = None

    def set(self) -> None:
        """Set the flag and wake the waiter, if any. Setting twice is harmless."""
        with self._lock:
            self._is_set = True  # state first: the woken task may be polled inside wake()
            waker, self._waker = self._waker, None
        if waker is not None:
            waker.wake()  # outside the lock: the waker may run arbitrary code

    def wait(self) -> FlagFuture:
        """A future that is Ready(None) once the flag is set."""
        return FlagFuture(self)


class FlagFuture(Future[None]):
    """Ready once its flag is set; until then Pending, with the latest waker stored."""

    def __init__(self, flag: Flag) -> None:
        self._flag = flag
        self._done = False

    def poll(self, cx: Context) -> Poll[None]:
        if self._done:
            raise PolledAfterCompletion("FlagFuture polled after it returned Ready")
        flag = self._flag
        with flag._lock:
            if flag._is_set:
                self._done = True
                return Ready(None)
            # Keep the waker of *this* poll: an older one may belong to a task that moved.
            # (Rust avoids the clone when `stored.will_wake(cx.waker())`; here storing is free.)
            flag._waker = cx.waker
            return Pending


class Device(Protocol):
    """A pretend I/O device: starts an operation and reports back through `on_done` later."""

    def submit(self, payload: str, on_done: Callable[[str], None]) -> None: ...


class Request(Future[str]):
    """Send `payload` to `device` and finish with the device's answer.

    Lazy, like every Rust future: nothing is submitted until the first poll, and exactly
    one submission happens however often it is polled.
    """

    def __init__(self, device: Device, payload: str) -> None:
        self._device = device
        self._payload = payload
        self._submitted = False
        self._result: str | None = None
        self._waker: Waker | None = None
        self._done = False

    def poll(self, cx: Context) -> Poll[str]:
        if self._done:
            raise PolledAfterCompletion("Request polled after it returned Ready")
        # Store the latest waker before looking at the result: the device may complete from
        # another thread at any moment, and must then find the waker of this poll.
        self._waker = cx.waker
        if self._result is not None:
            self._done = True
            return Ready(self._result)
        if not self._submitted:
            self._submitted = True
            self._device.submit(self._payload, self._complete)
        return Pending

    def _complete(self, result: str) -> None:
        """Called by the device: store the result first, then wake."""
        self._result = result
        if self._waker is not None:
            self._waker.wake()
