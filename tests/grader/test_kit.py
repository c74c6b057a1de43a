"""The test kit's own detectors work: a lost or stale waker, a hang, a misused future."""

from __future__ import annotations

import threading

import pytest

from kit import HintedFailure, ManualTask, ScriptedFuture, SpyWaker, poll_once, watchdog
from stdtask import Context, Future, Pending, Poll, Ready, Waker


class Keeps(Future[None]):
    """Pending forever; keeps the first, the latest, or no waker."""

    def __init__(self, policy: str) -> None:
        self.policy = policy
        self.waker: Waker | None = None

    def poll(self, cx: Context) -> Poll[None]:
        if self.policy == "latest" or (self.policy == "first" and self.waker is None):
            self.waker = cx.waker
        return Pending


def test_lost_waker_is_detected() -> None:
    with pytest.raises(HintedFailure) as failure:
        ManualTask(Keeps("none")).poll()
    assert failure.value.hint == "lost_waker"


def test_stale_waker_is_detected_on_the_second_poll() -> None:
    task = ManualTask(Keeps("first"))
    task.poll()
    with pytest.raises(HintedFailure) as failure:
        task.poll()
    assert failure.value.hint == "stale_waker"


def test_latest_waker_kept_is_fine_and_wakes_are_counted() -> None:
    future = Keeps("latest")
    task = ManualTask(future)
    task.poll()
    task.poll()
    assert task.waker_held and not task.is_woken
    assert future.waker is not None
    future.waker.wake()
    assert task.is_woken and task.wake_count == 1 and task.stale_wakes == 0


def test_a_wake_is_remembered_after_the_future_lets_go_of_the_waker() -> None:
    future = Keeps("latest")
    task = ManualTask(future)
    task.poll()
    waker, future.waker = future.waker, None
    assert waker is not None
    waker.wake()
    del waker
    assert task.is_woken and not task.waker_held


def test_custom_hint_ids_are_used() -> None:
    with pytest.raises(HintedFailure) as failure:
        ManualTask(Keeps("none"), lost_waker_hint="recv_lost_waker").poll()
    assert failure.value.hint == "recv_lost_waker"


def test_scripted_future_counts_and_flags_misuse() -> None:
    future = ScriptedFuture("v", pending=1, self_wake=True)
    spy = SpyWaker()
    assert poll_once(future, spy) is Pending and spy.woken
    assert poll_once(future) == Ready("v") and future.polls == 2
    with pytest.raises(HintedFailure) as failure:
        poll_once(future)
    assert failure.value.hint == "poll_after_ready"


def test_scripted_future_until_completed() -> None:
    future: ScriptedFuture[str] = ScriptedFuture(pending=None)
    task = ManualTask(future)
    assert task.poll() is Pending and task.poll() is Pending
    future.complete("done")
    assert task.is_woken and task.poll() == Ready("done")


def test_watchdog_turns_a_hang_into_a_hinted_failure() -> None:
    never = threading.Event()
    with pytest.raises(HintedFailure) as failure:
        watchdog(never.wait, seconds=0.2, hint="lost_wakeup", message="block_on never returned")
    assert failure.value.hint == "lost_wakeup" and "still running" in str(failure.value)
    never.set()


def test_watchdog_returns_values_and_reraises_errors() -> None:
    assert watchdog(lambda: 7, seconds=5, hint="x", message="") == 7
    with pytest.raises(ZeroDivisionError):
        watchdog(lambda: 1 / 0, seconds=5, hint="x", message="")
