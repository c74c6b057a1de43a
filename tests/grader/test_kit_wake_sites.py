"""The kit's wake-site detectors: a kept Context, a wake under a lock, an inline poll."""

from __future__ import annotations

import threading

import pytest

from kit import HintedFailure, ManualTask, poll_once
from kit.checking_waker import InlineTask
from kit.thread_poll_waker import ThreadPollWaker
from stdtask import Context, Future, Pending, Poll, Ready, Waker


class KeepsContext(Future[None]):
    """Pending forever, keeping `cx` itself instead of `cx.waker` (the lifetime bug)."""

    def __init__(self) -> None:
        self.cx: Context | None = None

    def poll(self, cx: Context) -> Poll[None]:
        self.cx = cx
        return Pending


def test_a_kept_context_is_named_not_called_a_lost_waker() -> None:
    with pytest.raises(HintedFailure) as failure:
        ManualTask(KeepsContext()).poll()
    assert failure.value.hint == "context_outlived_poll"


class Latch(Future[None]):
    """Ready once `open()` ran; `open()` wakes inside or outside the lock, as asked."""

    def __init__(self, wake_under_lock: bool) -> None:
        self.lock = threading.Lock()
        self.is_open = False
        self.waker: Waker | None = None
        self.wake_under_lock = wake_under_lock

    def poll(self, cx: Context) -> Poll[None]:
        with self.lock:
            if self.is_open:
                return Ready(None)
            self.waker = cx.waker
            return Pending

    def open(self) -> None:
        with self.lock:
            self.is_open = True
            waker = self.waker
            if self.wake_under_lock and waker is not None:
                waker.wake()
        if not self.wake_under_lock and waker is not None:
            waker.wake()


def test_thread_poll_waker_polls_while_wake_runs() -> None:
    latch = Latch(wake_under_lock=False)
    waker = ThreadPollWaker(latch)
    assert poll_once(latch, waker) is Pending
    latch.open()
    assert waker.settle() == "polled"
    assert waker.results == [Ready(None)]


def test_thread_poll_waker_sees_a_wake_under_the_lock() -> None:
    latch = Latch(wake_under_lock=True)
    waker = ThreadPollWaker(latch)
    assert poll_once(latch, waker) is Pending
    latch.open()  # returns after the waker gives up (LIMIT), instead of deadlocking
    assert waker.settle() == "after_return"
    assert waker.results == [Ready(None)]


def test_inline_task_reports_a_poll_in_progress() -> None:
    seen: list[bool] = []

    class Peek(Future[None]):
        def poll(self, cx: Context) -> Poll[None]:
            seen.append(task.polling)
            return Ready(None)

    task = InlineTask(Peek())
    task.poll()
    assert seen == [True] and not task.polling
