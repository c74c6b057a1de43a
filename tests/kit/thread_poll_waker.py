"""A waker that has the woken task polled on another thread, and waits for that poll.

Never call `wake()` while holding a lock the woken future's `poll` needs: a waker may run
anything, and some executors hand the woken task to a worker thread and wait until it has
been polled. Then the two threads wait for each other: the worker for the lock, the waking
thread (which holds it) for the worker. That is a deadlock, whatever kind of lock it is
(`Lock` or `RLock`: the poll runs on another thread).

`ThreadPollWaker(future)` is that executor, made safe for a test: inside `wake()` it polls
`future` on a helper thread and waits for that poll, but gives up after `LIMIT` seconds
instead of hanging (a correct future's poll takes microseconds; the limit only catches the
deadlock, it never decides a correct run). Once the code that called `wake()` has returned,
`settle()` tells what happened:

- `"polled"`: every poll inside `wake()` finished (the right behaviour);
- `"after_return"`: a poll could not finish while `wake()` ran, and finished as soon as the
  caller of `wake()` returned: that caller held something the poll needed (its lock);
- `"never"`: a poll did not finish even after the caller returned (stuck for another reason).

An exception raised by a poll on the helper thread is re-raised by `settle()`.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from kit.spies import SpyWaker, poll_once
from kit.threads import LIMIT, start_thread
from stdtask import Future, Poll, Waker

Outcome = Literal["polled", "after_return", "never"]


class ThreadPollWaker(Waker):
    """Each `wake()` polls `future` once on a helper thread and waits for that poll."""

    __slots__ = ("_error", "_stalled", "future", "name", "results", "wake_count")

    def __init__(self, future: Future[Any], name: str = "thread-poll waker") -> None:
        super().__init__()
        self.future = future
        self.name = name
        self.wake_count = 0
        self.results: list[Poll[Any]] = []  # what the polls on the helper thread returned
        self._stalled: tuple[threading.Thread, dict[str, Any]] | None = None
        self._error: BaseException | None = None  # raised by a poll; re-raised by settle()

    @property
    def woken(self) -> bool:
        return self.wake_count > 0

    def wake(self) -> None:
        self.wake_count += 1
        if self._stalled is not None:
            return  # one stuck poll is enough evidence; don't pile up threads
        # The helper polls with a spy waker: this test only needs that one poll to finish.
        thread, outcome = start_thread(
            lambda: poll_once(self.future, SpyWaker("waker of the poll on the helper thread")),
            name="poll of the woken task",
        )
        thread.join(LIMIT)
        if thread.is_alive():
            self._stalled = (thread, outcome)
            return
        self._collect(outcome)

    def settle(self) -> Outcome:
        """Call after the code that woke has returned: did every poll finish, and when?"""
        verdict: Outcome = "polled"
        if self._stalled is not None:
            thread, outcome = self._stalled
            thread.join(LIMIT)
            if thread.is_alive():
                return "never"
            self._collect(outcome)
            verdict = "after_return"
        if self._error is not None:
            raise self._error
        return verdict

    def _collect(self, outcome: dict[str, Any]) -> None:
        if "error" in outcome:
            self._error = self._error or outcome["error"]
        else:
            self.results.append(outcome["value"])

    def __repr__(self) -> str:
        return f"<ThreadPollWaker {self.name} woken {self.wake_count}x>"
