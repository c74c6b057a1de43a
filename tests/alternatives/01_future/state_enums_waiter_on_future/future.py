"""Explicit state enums and sentinels; the Flag keeps its waiting future, the future its waker.

Each future names its states instead of combining booleans; ReadyFuture marks "taken" with a
private sentinel (never a value the caller could pass). The Flag remembers *which future*
waits, and that future keeps the latest waker itself. Request guards its state with a lock
(the device may answer from another thread) and wakes after releasing it.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker

T = TypeVar("T")

_TAKEN = object()  # no caller can pass this object, so it cannot be confused with a value


class ReadyFuture(Future[T]):
    def __init__(self, value: T) -> None:
        self._value: object = value

    def poll(self, cx: Context) -> Poll[T]:
        if self._value is _TAKEN:
            raise PolledAfterCompletion("ReadyFuture polled after it returned Ready")
        value, self._value = self._value, _TAKEN
        return Ready(value)  # type: ignore[arg-type]


class _Step(enum.Enum):
    START = enum.auto()
    YIELDED = enum.auto()
    DONE = enum.auto()


class YieldNow(Future[None]):
    def __init__(self) -> None:
        self._step = _Step.START

    def poll(self, cx: Context) -> Poll[None]:
        match self._step:
            case _Step.START:
                self._step = _Step.YIELDED
                cx.waker.wake()
                return Pending
            case _Step.YIELDED:
                self._step = _Step.DONE
                return Ready(None)
            case _Step.DONE:
                raise PolledAfterCompletion("YieldNow polled after it returned Ready")


class Countdown(Future[str]):
    def __init__(self, n: int) -> None:
        self._n = n
        self._polls = 0  # counts up instead of down

    def poll(self, cx: Context) -> Poll[str]:
        self._polls += 1
        if self._polls > self._n + 1:
            raise PolledAfterCompletion("Countdown polled after it returned Ready")
        if self._polls == self._n + 1:
            return Ready("liftoff")
        cx.waker.wake()
        return Pending


class Flag:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._is_set = False
        self._waiter: FlagFuture | None = None  # the future that waits, not its waker

    def set(self) -> None:
        with self._lock:
            self._is_set = True
            waiter, self._waiter = self._waiter, None
            waker = waiter.latest_waker if waiter is not None else None
        if waker is not None:
            waker.wake()

    def wait(self) -> FlagFuture:
        return FlagFuture(self)


class FlagFuture(Future[None]):
    def __init__(self, flag: Flag) -> None:
        self._flag = flag
        self._finished = False
        self.latest_waker: Waker | None = None

    def poll(self, cx: Context) -> Poll[None]:
        if self._finished:
            raise PolledAfterCompletion("FlagFuture polled after it returned Ready")
        flag = self._flag
        with flag._lock:
            if flag._is_set:
                self._finished = True
                return Ready(None)
            self.latest_waker = cx.waker
            flag._waiter = self
        return Pending


class Device(Protocol):
    def submit(self, payload: str, on_done: Callable[[str], None]) -> None: ...


class _State(enum.Enum):
    NOT_STARTED = enum.auto()
    SUBMITTED = enum.auto()
    ANSWERED = enum.auto()
    FINISHED = enum.auto()


class Request(Future[str]):
    def __init__(self, device: Device, payload: str) -> None:
        self._device = device
        self._payload = payload
        self._lock = threading.Lock()
        self._state = _State.NOT_STARTED
        self._answer = ""
        self._waker: Waker | None = None

    def poll(self, cx: Context) -> Poll[str]:
        with self._lock:
            if self._state is _State.FINISHED:
                raise PolledAfterCompletion("Request polled after it returned Ready")
            if self._state is _State.ANSWERED:
                self._state = _State.FINISHED
                return Ready(self._answer)
            self._waker = cx.waker
            start = self._state is _State.NOT_STARTED
            if start:
                self._state = _State.SUBMITTED
        if start:  # outside the lock: the device may answer inside submit()
            self._device.submit(self._payload, self._on_done)
            with self._lock:
                if self._state is _State.ANSWERED:
                    self._state = _State.FINISHED
                    return Ready(self._answer)
        return Pending

    def _on_done(self, answer: str) -> None:
        with self._lock:
            self._answer = answer
            self._state = _State.ANSWERED
            waker = self._waker
        if waker is not None:
            waker.wake()
