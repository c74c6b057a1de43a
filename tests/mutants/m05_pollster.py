"""Stage 05 mistakes (SPEC §3, plus the guard mistakes), each a minimal edit of
solutions/05_pollster/pollster.py."""

from grader.mutants import Edit, mutant

STAGE = "05_pollster"
FILE = "pollster.py"

MUTANTS = [
    mutant(
        "busy_loop",
        STAGE,
        hint="busy_loop",
        file=FILE,
        find="                    signal.wait()\n",
        replace="                    pass  # poll again at once\n",
        note="block_on re-polls a Pending future without waiting for a wake",
    ),
    mutant(
        "lost_wakeup_cleared",
        STAGE,
        hint="lost_wakeup",
        file=FILE,
        find="        with self.cond:  # flag and sleep under one lock: no wake slips in between\n",
        replace="        with self.cond:\n            self.notified = False  # forget older wakes\n",
        note="Signal.wait clears the flag before sleeping, losing a wake from during the poll",
    ),
    mutant(
        "lost_wakeup_unlocked_check",
        STAGE,
        hint="lost_wakeup",
        file=FILE,
        find="        with self.cond:  # flag and sleep under one lock: no wake slips in between\n"
             "            while not self.notified:  # a condvar may return with no wake: check again\n"
             "                self.cond.wait()  # Rust: state = self.cond.wait(state).unwrap();\n",
        replace="        while not self.notified:  # checked before taking the lock\n"
                "            with self.cond:\n"
                "                self.cond.wait()\n"
                "        with self.cond:\n",
        note="Signal.wait checks the flag without the lock: a wake between check and sleep is lost",
    ),
    mutant(
        "spurious_wakeup",
        STAGE,
        hint="spurious_wakeup",
        file=FILE,
        find="            while not self.notified:",
        replace="            if not self.notified:",
        note="Signal.wait takes any return of cond.wait() for a wake",
    ),
    mutant(
        "late_wake_shared_signal",
        STAGE,
        hint="late_wake",
        file=FILE,
        find="        signal = Signal()\n",
        replace="        signal = _ENTERED.__dict__.setdefault(\"signal\", Signal())  # one per thread\n",
        note="one Signal reused by every block_on of a thread: a late wake leaks into the next call",
    ),
    mutant(
        "late_wake_torn_down",
        STAGE,
        hint="late_wake",
        file=FILE,
        find="        _ENTERED.active = False  # Rust: a guard",
        replace="        signal.cond = None  # type: ignore[assignment]  (tear down the parking spot)\n"
                "        _ENTERED.active = False  # Rust: a guard",
        note="block_on tears its Signal down on return, so a late wake raises",
    ),
    mutant(
        "waker_holds_future",
        STAGE,
        hint="waker_leak",
        file=FILE,
        find="        cx = Context(signal)",
        replace="        signal.task = fut  # the waker knows its task\n        cx = Context(signal)",
        note="the waker references the future, so a kept waker keeps the finished future alive",
    ),
    mutant(
        "no_nested_guard",
        STAGE,
        hint="nested_block_on",
        file=FILE,
        find="    if _ENTERED.active:\n",
        replace="    if False:  # no nesting check\n",
        note="block_on inside block_on is not detected",
    ),
    mutant(
        "guard_not_reset_on_panic",
        STAGE,
        hint="guard_reset",
        file=FILE,
        find="    finally:\n        _ENTERED.active = False",
        replace="    except BaseException:\n        raise  # the flag stays set",
        note="the 'inside block_on' flag is reset only on the normal return, not on an exception",
        more=(Edit(FILE, "                    return value\n",
                   "                    _ENTERED.active = False\n                    return value\n"),),
    ),
    mutant(
        "global_guard",
        STAGE,
        hint="guard_per_thread",
        file=FILE,
        find="class _Entered(threading.local):",
        replace="class _Entered:",
        note="the 'inside block_on' flag is process-wide, so two threads cannot block_on at once",
    ),
]
