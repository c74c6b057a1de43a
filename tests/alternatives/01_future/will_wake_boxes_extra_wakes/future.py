"""Values in one-element boxes, `will_wake` to skip replacing a waker, harmless extra wakes.

ReadyFuture and Request keep their value in a list that is empty until there is one (so
`if box:` asks "is there a value?", whatever the value is). FlagFuture replaces the stored
waker only when `will_wake` says it belongs to another task. Flag.set() keeps the waker, so
a second set() wakes again: a spurious wake, which the contract allows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker

T = TypeVar("T")


class ReadyFuture(Future[T]):
    def __init__(self, value: T) -> None:
        self._box = [value]

    def poll(self, cx: Context) -> Poll[T]:
        if not self._box:
            raise PolledAfterCompletion("ReadyFuture polled after it returned Ready")
        return Ready(self._box.pop())


class YieldNow(Future[None]):
    def __init__(self) -> None:
        self._polls = 0

    def poll(self, cx: Context) -> Poll[None]:
        self._polls += 1
        if self._polls == 1:
            cx.waker.wake()
            return Pending
        if self._polls == 2:
            return Ready(None)
        raise PolledAfterCompletion("YieldNow polled after it returned Ready")


class Countdown(Future[str]):
    def __init__(self, n: int) -> None:
        self._left: int | None = n  # None once finished

    def poll(self, cx: Context) -> Poll[str]:
        if self._left is None:
            raise PolledAfterCompletion("Countdown polled after it returned Ready")
        if self._left > 0:
            self._left -= 1
            cx.waker.wake()
            return Pending
        self._left = None
        return Ready("liftoff")


class Flag:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._is_set = False
        self._waker: Waker | None = None

    def set(self) -> None:
        with self._lock:
            self._is_set = True
            waker = self._waker  # kept: a second set() wakes again, harmlessly
        if waker is not None:
            waker.wake()

    def wait(self) -> FlagFuture:
        return FlagFuture(self)


class FlagFuture(Future[None]):
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
            stored = flag._waker
            if stored is None or not stored.will_wake(cx.waker):
                flag._waker = cx.waker
            return Pending


class Device(Protocol):
    def submit(self, payload: str, on_done: Callable[[str], None]) -> None: ...


class Request(Future[str]):
    def __init__(self, device: Device, payload: str) -> None:
        self._device = device
        self._payload = payload
        self._started = False
        self._answer: list[str] = []  # empty until the device answers
        self._waker: Waker | None = None
        self._done = False

    def poll(self, cx: Context) -> Poll[str]:
        if self._done:
            raise PolledAfterCompletion("Request polled after it returned Ready")
        self._waker = cx.waker  # before looking at the box: an answer may arrive any time
        if not self._started:
            self._started = True
            self._device.submit(self._payload, self._answer_arrived)
        if self._answer:
            self._done = True
            return Ready(self._answer[0])
        return Pending

    def _answer_arrived(self, answer: str) -> None:
        self._answer.append(answer)
        waker = self._waker
        if waker is not None:
            waker.wake()
