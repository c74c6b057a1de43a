"""Wakes from another thread, observed without timing: a future another thread completes, and
a helper thread that acts once the executor's thread is parked (kit.parking).

Used by stages 06 and 07 (and any later executor): the wake must arrive *while* block_on
sleeps, so the test waits for the park (a state), never for some amount of time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kit.parking import wait_until_parked
from stdtask import Context, Future, Pending, Poll, Ready, Waker


class ThreadFlag(Future[str]):
    """A future another thread completes: `set()` stores the value, then wakes (outside the lock)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: str | None = None
        self.waker: Waker | None = None

    def poll(self, cx: Context) -> Poll[str]:
        with self.lock:
            if self.value is None:
                self.waker = cx.waker
                return Pending
            return Ready(self.value)

    def set(self, value: str) -> None:
        with self.lock:
            self.value = value
            waker, self.waker = self.waker, None
        if waker is not None:
            waker.wake()  # a wake from another thread


def when_parked(executor_thread: list[int], action: Callable[[], Any]) -> Callable[[], Any]:
    """Work for another thread: wait until the executor's thread (`executor_thread[0]`, filled
    in by the root's first poll) is parked, then return `action()`. If it never parks (a
    `time.sleep` is not a park), act anyway after kit.parking's bound: the test's watchdog
    names the failure."""

    def work() -> Any:
        wait_until_parked(executor_thread[0])
        return action()

    return work


def start_when_parked(executor_thread: list[int], action: Callable[[], Any]) -> threading.Thread:
    """A daemon thread (never left behind blocking the process) running `when_parked(...)`."""
    thread = threading.Thread(target=when_parked(executor_thread, action), name="waker-thread",
                              daemon=True)
    thread.start()
    return thread
