"""Stage 04 mistakes (SPEC §3, plus a few found on the way), each a minimal edit of
solutions/04_mutex/mutex.py."""

from grader.mutants import mutant

STAGE = "04_mutex"
FILE = "mutex.py"

_WAITING_POLL = "            self._waker = cx.waker\n            return Pending\n"
_HAND_OVER = "            waiter._state = _NOTIFIED  # hand the lock over first: the mutex stays locked...\n"
_WAKE = "            waiter._wake()             # ...then wake, as the woken task may be polled at once\n"

MUTANTS = [
    mutant(
        "lost_waker", STAGE, hint="lost_waker", file=FILE,
        find="        self._waker = cx.waker  # keep the waker, then queue behind the others\n",
        replace="",
        note="lock() queues and returns Pending without keeping the waker",
    ),
    mutant(
        "release_without_wake", STAGE, hint="handoff", file=FILE,
        find=_WAKE, replace="",
        note="release() hands the lock to the next waiter but never wakes it",
    ),
    mutant(
        "lifo", STAGE, hint="fifo", file=FILE,
        find="self._waiters.popleft()", replace="self._waiters.pop()",
        note="release() hands the lock to the newest waiter instead of the oldest",
    ),
    mutant(
        "barging", STAGE, hint="barging", file=FILE,
        find="        if self._waiters:\n            waiter",
        replace="        self._locked = False\n        if self._waiters:\n            waiter",
        note="release() unlocks before handing off: a newcomer can take the lock first",
    ),
    mutant(
        "stale_waker", STAGE, hint="stale_waker", file=FILE,
        find=_WAITING_POLL, replace="            return Pending\n",
        note="a waiting lock() keeps the waker of its first poll",
    ),
    mutant(
        "requeued_on_repoll", STAGE, hint="requeued_on_repoll", file=FILE,
        find=_WAITING_POLL,
        replace="            self._waker = cx.waker\n            self._mutex._waiters.append(self)\n"
                "            return Pending\n",
        note="every poll of a waiting lock() joins the queue again",
    ),
    mutant(
        "cancelled_waiter_left", STAGE, hint="cancelled_waiter_left", file=FILE,
        find="            self._mutex._waiters.remove(self)", replace="            pass",
        note="a cancelled waiter stays in the queue and is handed the lock later (deadlock)",
    ),
    mutant(
        "cancel_wrong_waiter", STAGE, hint="cancel_wrong_waiter", file=FILE,
        find="._waiters.remove(self)", replace="._waiters.popleft()",
        note="a cancelled waiter removes the first waiter, not itself",
    ),
    mutant(
        "notified_then_dropped", STAGE, hint="notified_then_dropped", file=FILE,
        find="            self._mutex._release()  # we were handed",
        replace="            pass  # we were handed",
        note="a waiter handed the lock and dropped before its poll keeps the lock forever",
    ),
    mutant(
        "double_release", STAGE, hint="double_release", file=FILE,
        find="            self._state = _DONE\n            self._waker = None\n",
        replace="            self._waker = None\n",
        note="the hand-off path forgets it returned the guard: drop() then releases again",
    ),
    mutant(
        "guard_reuse", STAGE, hint="guard_reuse", file=FILE,
        find="        self._mutex = None  # Rust's move semantics: a guard is dropped once\n",
        replace="",
        note="a guard can be released twice, freeing the next owner's lock",
    ),
    mutant(
        "wake_inconsistent", STAGE, hint="wake_inconsistent", file=FILE,
        find=_HAND_OVER + _WAKE, replace=_WAKE + _HAND_OVER,
        note="release() wakes the next waiter before making it the owner",
    ),
    mutant(
        "poll_after_ready", STAGE, hint="poll_after_ready", file=FILE,
        find="        if state == _DONE:\n            raise PolledAfterCompletion(",
        replace="        if False:\n            raise PolledAfterCompletion(",
        note="a finished lock() future polled again queues for the lock once more",
    ),
]
