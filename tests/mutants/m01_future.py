"""Stage 01 mistakes (SPEC §3), each a minimal edit of solutions/01_future/future.py."""

from grader.mutants import mutant

STAGE = "01_future"
FILE = "future.py"

MUTANTS = [
    mutant(
        "lost_waker",
        STAGE,
        hint="lost_waker",
        file=FILE,
        find="            flag._waker = cx.waker\n",
        replace="",
        note="FlagFuture returns Pending without keeping the waker",
    ),
    mutant(
        "stale_waker",
        STAGE,
        hint="stale_waker",
        file=FILE,
        find="            flag._waker = cx.waker\n",
        replace="            if flag._waker is None:\n                flag._waker = cx.waker\n",
        note="FlagFuture keeps only the first waker it sees",
    ),
    mutant(
        "busy_loop",
        STAGE,
        hint="busy_loop",
        file=FILE,
        find="            flag._waker = cx.waker\n",
        replace="            flag._waker = cx.waker\n            cx.waker.wake()\n",
        note="FlagFuture wakes itself on every Pending poll",
    ),
    mutant(
        "repeated_side_effect",
        STAGE,
        hint="repeated_side_effect",
        file=FILE,
        find="        if not self._submitted:\n",
        replace="        if True:\n",
        note="Request submits again on every (spurious) poll",
    ),
    mutant(
        "poll_after_ready",
        STAGE,
        hint="poll_after_ready",
        file=FILE,
        find='            raise PolledAfterCompletion("ReadyFuture polled after it returned Ready")',
        replace="            pass",
        note="ReadyFuture hands out its value again instead of detecting the bug",
    ),
    mutant(
        "yield_without_wake",
        STAGE,
        hint="lost_waker",
        file=FILE,
        find="        self._yielded = True\n        # Nothing external will wake us, so we wake "
        'ourselves: "poll me again soon".\n        cx.waker.wake()\n',
        replace="        self._yielded = True\n",
        note="YieldNow returns Pending without waking (or keeping) its waker",
    ),
    mutant(
        "set_without_wake",
        STAGE,
        hint="flag",
        file=FILE,
        find="            waker.wake()  # outside the lock",
        replace="            pass  # outside the lock",
        note="Flag.set() forgets to wake the waiter",
    ),
    mutant(
        "request_stale_waker",
        STAGE,
        hint="stale_waker",
        file=FILE,
        find="        self._waker = cx.waker\n        if self._result",
        replace="        self._waker = self._waker or cx.waker\n        if self._result",
        note="Request keeps only the first waker",
    ),
]
