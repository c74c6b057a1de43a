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
    mutant(
        "poll_under_lock",
        STAGE,
        hint="wake_under_lock",
        file=FILE,
        find="            match fut.poll(cx):  # Rust: match fut.as_mut().poll(&mut cx)\n",
        replace="            with signal.cond:  # so no wake slips in during the poll\n"
                "                result = fut.poll(cx)\n"
                "            match result:\n",
        note="block_on polls while holding the Signal's lock: a wake from another thread "
             "during the poll waits for the poll to end",
    ),
    mutant(
        "lock_held_whole_call",
        STAGE,
        hint="wake_under_lock",
        file=FILE,
        find="        while True:\n"
             "            match fut.poll(cx):  # Rust: match fut.as_mut().poll(&mut cx)\n"
             "                case Ready(value):\n"
             "                    return value\n"
             "                case _:  # Pending: sleep until the waker sets the flag, then poll again\n"
             "                    signal.wait()\n",
        replace="        with signal.cond:  # the whole loop under the Signal's lock\n"
                "            while True:\n"
                "                match fut.poll(cx):\n"
                "                    case Ready(value):\n"
                "                        return value\n"
                "                    case _:\n"
                "                        signal.wait()\n",
        note="block_on holds the Signal's lock for the whole call (released only inside "
             "cond.wait): wakes from other threads wait while it polls",
    ),
    mutant(
        "parks_elsewhere_sleep_loop",
        STAGE,
        hint="park_and_wake",
        file=FILE,
        find="        with self.cond:  # flag and sleep under one lock: no wake slips in between\n"
             "            while not self.notified:  # a condvar may return with no wake: check again\n"
             "                self.cond.wait()  # Rust: state = self.cond.wait(state).unwrap();\n"
             "            self.notified = False\n",
        replace="        import time\n"
                "        while True:  # check the flag now and then\n"
                "            with self.cond:\n"
                "                if self.notified:\n"
                "                    self.notified = False\n"
                "                    return\n"
                "            time.sleep(0.001)\n",
        note="Signal.wait sleeps in time.sleep between checks of the flag, never in cond.wait",
    ),
    mutant(
        "parks_elsewhere_event",
        STAGE,
        hint="park_and_wake",
        file=FILE,
        find="        with self.cond:  # Rust: *self.state.lock().unwrap() = true;\n"
             "            self.notified = True\n"
             "            self.cond.notify()  # Rust: self.cond.notify_one();\n",
        replace="        self.notified = True\n"
                "        self.__dict__.setdefault(\"event\", threading.Event()).set()\n",
        note="the Signal sleeps on a threading.Event of its own instead of its `cond`",
        more=(Edit(FILE,
                   "        with self.cond:  # flag and sleep under one lock: no wake slips in between\n"
                   "            while not self.notified:  # a condvar may return with no wake: check again\n"
                   "                self.cond.wait()  # Rust: state = self.cond.wait(state).unwrap();\n"
                   "            self.notified = False\n",
                   "        event = self.__dict__.setdefault(\"event\", threading.Event())\n"
                   "        event.wait()\n"
                   "        event.clear()\n"
                   "        self.notified = False\n"),),
    ),
    mutant(
        "exception_wrapped",
        STAGE,
        hint="panic",
        file=FILE,
        find="            match fut.poll(cx):  # Rust: match fut.as_mut().poll(&mut cx)\n",
        replace="            try:\n"
                "                result = fut.poll(cx)\n"
                "            except Exception as error:\n"
                "                raise RuntimeError(f\"the future failed: {error}\") from error\n"
                "            match result:\n",
        note="block_on wraps the future's exception in another one",
    ),
    mutant(
        "exception_swallowed",
        STAGE,
        hint="panic",
        file=FILE,
        find="            match fut.poll(cx):  # Rust: match fut.as_mut().poll(&mut cx)\n",
        replace="            try:\n"
                "                result = fut.poll(cx)\n"
                "            except Exception:\n"
                "                return None  # type: ignore[return-value]  (the future failed)\n"
                "            match result:\n",
        note="block_on turns the future's exception into a None result",
    ),
    mutant(
        "signal_in_thread_local",
        STAGE,
        hint="waker_leak",
        file=FILE,
        find="        cx = Context(signal)",
        replace="        _ENTERED.signal = signal  # the current call's Signal, for debugging\n"
                "        cx = Context(signal)",
        note="block_on keeps its Signal in the thread-local state after it returned: it "
             "lives as long as the calling thread",
    ),
    mutant(
        "future_in_thread_local",
        STAGE,
        hint="waker_leak",
        file=FILE,
        find="        cx = Context(signal)",
        replace="        _ENTERED.future = fut  # the future being driven, for debugging\n"
                "        cx = Context(signal)",
        note="block_on keeps the future in the thread-local state: a finished future lives "
             "as long as the calling thread",
    ),
    mutant(
        "wake_not_consumed",
        STAGE,
        hint="busy_loop",
        file=FILE,
        find="                self.cond.wait()  # Rust: state = self.cond.wait(state).unwrap();\n"
             "            self.notified = False\n",
        replace="                self.cond.wait()  # Rust: state = self.cond.wait(state).unwrap();\n",
        note="Signal.wait never resets the flag: after the first wake every wait returns at once",
    ),
    mutant(
        "signal_per_poll",
        STAGE,
        hint="park_and_wake",
        file=FILE,
        find="        while True:\n            match fut.poll(cx):",
        replace="        while True:\n            signal = Signal()  # a fresh one for each poll\n"
                "            cx = Context(signal)\n            match fut.poll(cx):",
        note="a new Signal for every poll: a wake of an earlier poll's Signal is lost",
    ),
]
