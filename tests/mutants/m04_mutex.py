"""Stage 04 mistakes (SPEC §3, plus a few found on the way), each a minimal edit of
solutions/04_mutex/mutex.py."""

from grader.mutants import Edit, mutant

STAGE = "04_mutex"
FILE = "mutex.py"

_WAITING_POLL = "            self._waker = cx.waker\n            return Pending\n"
_HAND_OVER = "            waiter._state = _NOTIFIED  # hand the lock over first: the mutex stays locked...\n"
_WAKE = "            waiter._wake()             # ...then wake, as the woken task may be polled at once\n"
_PASS_ON = "            self._mutex._release()  # we were handed the lock but never took it: pass it on\n"
_SLOTS = '__slots__ = ("_guard", "_mutex", "_state", "_waker")'
_QUEUE = "        self._mutex._waiters.append(self)\n        return Pending\n"

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
    # --- issue 10: every wake site, every drop path, falsy values, the Context's lifetime ---
    mutant(
        "keeps_context", STAGE, hint="context_outlived_poll", file=FILE,
        find="        self._waker = cx.waker  # keep the waker, then queue behind the others\n",
        replace="        self._waker = cx  # keep the waker, then queue behind the others\n",
        note="a waiting lock() keeps the Context, not its waker, and wakes cx.waker later",
        more=(Edit(FILE, _WAITING_POLL, "            self._waker = cx\n            return Pending\n"),
              Edit(FILE, "        self._waker.wake()", "        self._waker.waker.wake()")),
    ),
    mutant(
        "none_value_means_taken", STAGE, hint="falsy_value", file=FILE,
        find="        if self._locked:  # waiters",
        replace="        if self._locked or self._value is None:  # waiters",
        note="try_lock() reads a None value as 'taken' (None as the empty slot of a lock)",
    ),
    mutant(
        "spurious_poll_moves_forward", STAGE, hint="fifo", file=FILE,
        find=_WAITING_POLL,
        replace="            self._waker = cx.waker\n            self._mutex._waiters.remove(self)\n"
                "            self._mutex._waiters.appendleft(self)\n            return Pending\n",
        note="a spurious poll of a waiter moves it to the front of the line",
    ),
    mutant(
        "stale_waker_in_queue", STAGE, hint="stale_waker", file=FILE,
        find=_QUEUE,
        replace="        self._mutex._waiters.append(self)\n        self._first_waker = cx.waker\n"
                "        return Pending\n",
        note="the hand-off wakes the waker stored when the waiter queued, not the latest one",
        more=(Edit(FILE, _SLOTS, _SLOTS.replace('("', '("_first_waker", "')),
              Edit(FILE, "        self._waker.wake()", "        self._first_waker.wake()")),
    ),
    mutant(
        "cancel_by_stale_index", STAGE, hint="cancel_wrong_waiter", file=FILE,
        find=_QUEUE,
        replace="        self._place = len(self._mutex._waiters)\n" + _QUEUE,
        note="a cancelled waiter deletes the index it had when it queued; the line moved since",
        more=(Edit(FILE, _SLOTS, _SLOTS.replace('"_mutex", ', '"_mutex", "_place", ')),
              Edit(FILE, "            self._mutex._waiters.remove(self)",
                   "            del self._mutex._waiters[self._place]")),
    ),
    mutant(
        "drop_hand_off_unlocks_first", STAGE, hint="barging", file=FILE,
        find=_PASS_ON,
        replace="            self._mutex._locked = False\n" + _PASS_ON,
        note="a dropped hand-off unlocks, then hands on: a newcomer can take the lock first",
    ),
    mutant(
        "drop_hand_off_twice", STAGE, hint="passed_on_twice", file=FILE,
        find=_PASS_ON, replace="            self._mutex._release()\n" + _PASS_ON,
        note="a dropped hand-off releases twice: two waiters become owners",
    ),
    mutant(
        "drop_hand_off_wakes_first", STAGE, hint="wake_inconsistent", file=FILE,
        find=_PASS_ON,
        replace="            mutex = self._mutex\n"
                "            if mutex._waiters:  # pass it on...\n"
                "                waiter = mutex._waiters.popleft()\n"
                "                waiter._wake()  # ...waking before the state says so\n"
                "                waiter._state = _NOTIFIED\n"
                "            else:\n"
                "                mutex._locked = False\n",
        note="a dropped hand-off passes the lock on itself, waking the next before making it owner",
    ),
    mutant(
        "unlocked_while_waking", STAGE, hint="wake_inconsistent", file=FILE,
        find="        if self._waiters:\n            waiter = self._waiters.popleft()\n"
             + _HAND_OVER + _WAKE + "        else:\n            self._locked = False\n",
        replace="        self._locked = False\n"
                "        if self._waiters:\n            waiter = self._waiters.popleft()\n"
                + _HAND_OVER + _WAKE + "            self._locked = True\n",
        note="release() unlocks, wakes the next owner, and only then locks again",
    ),
    mutant(
        "setter_after_release", STAGE, hint="guard_reuse", file=FILE,
        find="    def value(self, new: T) -> None:\n        self._owned()._value = new\n",
        replace="    def value(self, new: T) -> None:\n        if self._mutex is not None:\n"
                "            self._mutex._value = new\n",
        note="setting .value on a released guard is silently ignored instead of refused",
    ),
    mutant(
        "cancel_releases", STAGE, hint="cancel_released", file=FILE,
        find="            self._mutex._waiters.remove(self)  # leave the queue: our place, "
             "nobody else's\n",
        replace="            self._mutex._waiters.remove(self)\n            self._mutex._release()\n",
        note="a waiter cancelled while waiting also runs release(): the next waiter gets the "
             "lock while its owner still holds it",
    ),
    mutant(
        "handed_ready_not_done", STAGE, hint="poll_after_ready", file=FILE,
        find="        if state == _NOTIFIED:  # release() made us the owner\n"
             "            self._state = _DONE\n",
        replace="        if state == _NOTIFIED:  # release() made us the owner\n"
                "            self._state = _IDLE\n",
        note="after the hand-off path returns its guard, the future forgets it finished",
    ),
]
