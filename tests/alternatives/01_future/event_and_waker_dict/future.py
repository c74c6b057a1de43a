"""A threading.Event for "set", wakers in a dict per future, YieldNow built on a Countdown.

Flag records "set" in a `threading.Event` and keeps, under its lock, the latest waker of
each waiting future in a dict keyed by that future; a poll registers, then checks the event
again (a set() in between is not missed). YieldNow reuses Countdown(1). Request's completion
is a closure, and its done-ness is a flag of its own, apart from the answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker

T = TypeVar("T")


class ReadyFuture(Future[T]):
    def __init__(self, value: T) -> None:
        self._value = value
        self._handed_out = False

    def poll(self, cx: Context) -> Poll[T]:
        if self._handed_out:
            raise PolledAfterCompletion("ReadyFuture polled after it returned Ready")
        self._handed_out = True
        return Ready(self._value)


class Countdown(Future[str]):
    def __init__(self, n: int) -> None:
        self._remaining = n
        self._finished = False

    def poll(self, cx: Context) -> Poll[str]:
        if self._finished:
            raise PolledAfterCompletion("Countdown polled after it returned Ready")
        if self._remaining <= 0:
            self._finished = True
            return Ready("liftoff")
        self._remaining -= 1
        cx.waker.wake()
        return Pending


class YieldNow(Future[None]):
    def __init__(self) -> None:
        self._inner = Countdown(1)  # Pending once (waking itself), then Ready

    def poll(self, cx: Context) -> Poll[None]:
        try:
            result = self._inner.poll(cx)
        except PolledAfterCompletion:
            raise PolledAfterCompletion("YieldNow polled after it returned Ready") from None
        return Pending if result is Pending else Ready(None)


class Flag:
    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._wakers: dict[int, Waker] = {}  # id(future) -> its latest waker

    def set(self) -> None:
        self._event.set()
        with self._lock:
            wakers = list(self._wakers.values())
            self._wakers.clear()
        for waker in wakers:
            waker.wake()

    def wait(self) -> FlagFuture:
        return FlagFuture(self)

    def _register(self, key: int, waker: Waker) -> None:
        with self._lock:
            self._wakers[key] = waker

    def _unregister(self, key: int) -> None:
        with self._lock:
            self._wakers.pop(key, None)


class FlagFuture(Future[None]):
    def __init__(self, flag: Flag) -> None:
        self._flag = flag
        self._done = False

    def poll(self, cx: Context) -> Poll[None]:
        if self._done:
            raise PolledAfterCompletion("FlagFuture polled after it returned Ready")
        if not self._flag._event.is_set():
            self._flag._register(id(self), cx.waker)
            if not self._flag._event.is_set():
                return Pending
            self._flag._unregister(id(self))
        self._done = True
        return Ready(None)


class Device(Protocol):
    def submit(self, payload: str, on_done: Callable[[str], None]) -> None: ...


class Request(Future[str]):
    def __init__(self, device: Device, payload: str) -> None:
        self._device = device
        self._payload = payload
        self._submitted = False
        self._answered = False
        self._answer = ""
        self._waker: Waker | None = None
        self._done = False

    def poll(self, cx: Context) -> Poll[str]:
        if self._done:
            raise PolledAfterCompletion("Request polled after it returned Ready")
        self._waker = cx.waker
        if not self._submitted:
            self._submitted = True

            def on_done(answer: str) -> None:
                self._answer = answer
                self._answered = True
                if self._waker is not None:
                    self._waker.wake()

            self._device.submit(self._payload, on_done)
        if self._answered:
            self._done = True
            return Ready(self._answer)
        return Pending
