"""Stage 01 mistakes (SPEC §3), each a minimal edit of solutions/01_future/future.py."""

from grader.mutants import Edit, mutant

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

# --- issue 10: state first, then wake (every wake site) --------------------------------
MUTANTS += [
    mutant(
        "request_wakes_before_storing",
        STAGE,
        hint="wake_before_state",
        file=FILE,
        find="        self._result = result\n        if self._waker is not None:\n"
        "            self._waker.wake()\n",
        replace="        if self._waker is not None:\n            self._waker.wake()\n"
        "        self._result = result\n",
        note="Request's completion wakes the task, then stores the result",
    ),
    mutant(
        "flag_wakes_before_setting",
        STAGE,
        hint="wake_before_state",
        file=FILE,
        find="            self._is_set = True  # state first: the woken task may be polled inside "
        "wake()\n",
        replace="",
        note="Flag.set() wakes the waiter, and only then marks the flag as set",
        more=(
            Edit(
                FILE,
                "            waker.wake()  # outside the lock: the waker may run arbitrary code\n",
                "            waker.wake()  # outside the lock: the waker may run arbitrary code\n"
                "        with self._lock:\n            self._is_set = True\n",
            ),
        ),
    ),
]

# --- never wake while holding a lock ----------------------------------------------------
MUTANTS += [
    mutant(
        "flag_wakes_under_lock",
        STAGE,
        hint="wake_under_lock",
        file=FILE,
        find="        if waker is not None:\n"
        "            waker.wake()  # outside the lock: the waker may run arbitrary code\n",
        replace="            if waker is not None:\n                waker.wake()\n",
        note="Flag.set() calls wake() inside its `with self._lock:` block",
    ),
    mutant(
        "flag_wakes_under_rlock",
        STAGE,
        hint="wake_under_lock",
        file=FILE,
        find="        if waker is not None:\n"
        "            waker.wake()  # outside the lock: the waker may run arbitrary code\n",
        replace="            if waker is not None:\n                waker.wake()\n",
        note="Flag guarded by an RLock (no deadlock on one thread) still wakes under it",
        more=(
            Edit(FILE, "        self._lock = threading.Lock()\n",
                 "        self._lock = threading.RLock()\n"),
        ),
    ),
    mutant(
        "request_wakes_under_lock",
        STAGE,
        hint="wake_under_lock",
        file=FILE,
        find="        self._result = result\n        if self._waker is not None:\n"
        "            self._waker.wake()\n",
        replace="        with self._lock:\n            self._result = result\n"
        "            if self._waker is not None:\n                self._waker.wake()\n",
        note="Request guards its state with an RLock, and its completion wakes inside it",
        more=(
            Edit(FILE, "        self._waker: Waker | None = None\n        self._done = False\n\n"
                 "    def poll(self, cx: Context) -> Poll[str]:\n        if self._done:\n",
                 "        self._waker: Waker | None = None\n        self._done = False\n"
                 "        self._lock = threading.RLock()\n\n"
                 "    def poll(self, cx: Context) -> Poll[str]:\n"
                 "        with self._lock:\n            return self._poll(cx)\n\n"
                 "    def _poll(self, cx: Context) -> Poll[str]:\n"
                 "        if self._done:\n"),
        ),
    ),
]

# --- the latest waker, for every future that stores one --------------------------------
MUTANTS += [
    mutant(
        "request_waker_only_at_submit",
        STAGE,
        hint="stale_waker",
        file=FILE,
        find="        self._waker = cx.waker\n        if self._result",
        replace="        if self._result",
        note="Request stores the waker only on the poll that submits",
        more=(
            Edit(FILE, "            self._submitted = True\n",
                 "            self._submitted = True\n            self._waker = cx.waker\n"),
        ),
    ),
]

# --- truthiness is not readiness --------------------------------------------------------
MUTANTS += [
    mutant(
        "request_truthy_result",
        STAGE,
        hint="falsy_value",
        file=FILE,
        find="        if self._result is not None:\n",
        replace="        if self._result:\n",
        note="Request tests `if self._result:`, so an empty answer never finishes",
    ),
    mutant(
        "ready_future_none_means_taken",
        STAGE,
        hint="falsy_value",
        file=FILE,
        find="        if self._done:\n"
        '            raise PolledAfterCompletion("ReadyFuture polled after it returned Ready")\n'
        "        self._done = True\n        return Ready(self._value)\n",
        replace="        if self._value is None:\n"
        '            raise PolledAfterCompletion("ReadyFuture polled after it returned Ready")\n'
        "        value, self._value = self._value, None\n        return Ready(value)\n",
        note="ReadyFuture uses None as its 'value already taken' marker",
    ),
]

# --- laziness, poll after Ready, the count's home ---------------------------------------
MUTANTS += [
    mutant(
        "request_submits_in_constructor",
        STAGE,
        hint="not_lazy",
        file=FILE,
        find="        self._submitted = False\n        self._result: str | None = None\n"
        "        self._waker: Waker | None = None\n        self._done = False\n",
        replace="        self._result: str | None = None\n"
        "        self._waker: Waker | None = None\n        self._done = False\n"
        "        self._submitted = True\n        device.submit(payload, self._complete)\n",
        note="Request submits when it is created instead of on its first poll",
    ),
    mutant(
        "flag_future_ready_again",
        STAGE,
        hint="poll_after_ready",
        file=FILE,
        find='            raise PolledAfterCompletion("FlagFuture polled after it returned Ready")\n',
        replace="            return Ready(None)\n",
        note="FlagFuture answers Ready again instead of detecting the poll after Ready",
    ),
    mutant(
        "countdown_count_on_the_class",
        STAGE,
        hint="countdown",
        file=FILE,
        find="        self._remaining = n\n",
        replace="        Countdown._remaining = n\n",
        note="Countdown keeps its count on the class, shared by every Countdown",
    ),
]

# --- a Context kept after its poll ------------------------------------------------------
MUTANTS += [
    mutant(
        "flag_keeps_context",
        STAGE,
        hint="context_outlived_poll",
        file=FILE,
        find="            flag._waker = cx.waker\n",
        replace="            flag._cx = cx\n",
        note="FlagFuture stores `cx`, and set() wakes `self._cx.waker` later",
        more=(
            Edit(FILE, "        self._is_set = False\n        self._waker: Waker | None = None\n",
                 "        self._is_set = False\n        self._cx: Context | None = None\n"),
            Edit(FILE, "            waker, self._waker = self._waker, None\n"
                 "        if waker is not None:\n            waker.wake()",
                 "            cx, self._cx = self._cx, None\n"
                 "        if cx is not None:\n            cx.waker.wake()"),
        ),
    ),
    mutant(
        "request_wakes_through_old_context",
        STAGE,
        hint="context_outlived_poll",
        file=FILE,
        find="        self._waker = cx.waker\n        if self._result",
        replace="        self._waker = cx.waker\n        self._cx = cx\n        if self._result",
        note="Request keeps the waker and also `cx`, and its completion wakes `self._cx.waker`",
        more=(
            Edit(FILE, "        if self._waker is not None:\n            self._waker.wake()\n",
                 "        if self._waker is not None:\n            self._cx.waker.wake()\n"),
        ),
    ),
]

# --- an ordinary error is shown as itself -----------------------------------------------
MUTANTS += [
    mutant(
        "typo_in_completion",
        STAGE,
        hint="your_code_raised",
        file=FILE,
        find="            self._waker.wake()\n",
        replace="            self.waker.wake()\n",
        note="Request's completion misspells its waker attribute (AttributeError)",
    ),
    mutant(
        "missing_import",
        STAGE,
        hint="your_code_raised",
        file=FILE,
        find="from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker\n",
        replace="from stdtask import Context, Future, Pending, Poll, Ready, Waker\n",
        note="PolledAfterCompletion is used but not imported (NameError on the second poll)",
    ),
]

# --- found by the adversarial self-check (issue 10) -----------------------------------------
MUTANTS += [
    mutant(
        "flag_busy_on_repoll",
        STAGE,
        hint="busy_loop",
        file=FILE,
        find="            flag._waker = cx.waker\n",
        replace="            if flag._waker is not None:\n                cx.waker.wake()\n"
        "            flag._waker = cx.waker\n",
        note="FlagFuture wakes itself whenever it is polled again while waiting",
    ),
    mutant(
        "request_busy_on_repoll",
        STAGE,
        hint="busy_loop",
        file=FILE,
        find="        if not self._submitted:\n",
        replace="        if self._submitted:\n            cx.waker.wake()\n"
        "        if not self._submitted:\n",
        note="Request wakes itself on every poll after the one that submitted",
    ),
    mutant(
        "flags_share_one_waiter",
        STAGE,
        hint="flag",
        file=FILE,
        find="            waker, self._waker = self._waker, None\n",
        replace="            waker, Flag._waiting = Flag._waiting, None\n",
        note="Every Flag stores its waiter's waker in one place shared by all flags",
        more=(
            Edit(FILE, "            flag._waker = cx.waker\n",
                 "            Flag._waiting = cx.waker\n"),
            Edit(FILE, "    would be an `Arc<Mutex<State>>` in Rust. One waiter at a time.\n    \"\"\"\n",
                 "    would be an `Arc<Mutex<State>>` in Rust. One waiter at a time.\n    \"\"\"\n\n"
                 "    _waiting: Waker | None = None\n"),
        ),
    ),
]
MUTANTS += [
    mutant(
        "request_submits_under_lock",
        STAGE,
        hint="request",
        file=FILE,
        find="        self._waker: Waker | None = None\n        self._done = False\n\n"
        "    def poll(self, cx: Context) -> Poll[str]:\n        if self._done:\n",
        replace="        self._waker: Waker | None = None\n        self._done = False\n"
        "        self._lock = threading.Lock()\n\n"
        "    def poll(self, cx: Context) -> Poll[str]:\n"
        "        with self._lock:\n            return self._poll(cx)\n\n"
        "    def _poll(self, cx: Context) -> Poll[str]:\n        if self._done:\n",
        note="Request holds its Lock through poll, submit included; the completion needs it "
        "too, so a device that answers inside submit() deadlocks",
        more=(
            Edit(FILE, "        self._result = result\n        if self._waker",
                 "        with self._lock:\n            self._result = result\n        if self._waker"),
        ),
    ),
    mutant(
        "request_callback_captures_cx",
        STAGE,
        hint="context_outlived_poll",
        file=FILE,
        find="            self._device.submit(self._payload, self._complete)\n",
        replace="            def done(result: str) -> None:\n                self._result = result\n"
        "                cx.waker.wake()\n\n            self._device.submit(self._payload, done)\n",
        note="Request's completion is a closure that uses the `cx` of the submitting poll",
    ),
    mutant(
        "request_callback_captures_first_waker",
        STAGE,
        hint="stale_waker",
        file=FILE,
        find="            self._device.submit(self._payload, self._complete)\n",
        replace="            waker = cx.waker\n\n            def done(result: str) -> None:\n"
        "                self._result = result\n                waker.wake()\n\n"
        "            self._device.submit(self._payload, done)\n",
        note="Request's completion is a closure that wakes the waker of the submitting poll",
    ),
]
MUTANTS += [
    mutant(
        "flag_registers_every_poll",
        STAGE,
        hint="repeated_side_effect",
        file=FILE,
        find="            flag._waker = cx.waker\n",
        replace="            flag._wakers.append(cx.waker)\n",
        note="FlagFuture adds its waker to a list on every poll; set() wakes them all",
        more=(
            Edit(FILE, "        self._is_set = False\n        self._waker: Waker | None = None\n",
                 "        self._is_set = False\n        self._wakers: list[Waker] = []\n"),
            Edit(FILE, "            waker, self._waker = self._waker, None\n        if waker is not None:\n"
                 "            waker.wake()  # outside the lock: the waker may run arbitrary code\n",
                 "            wakers, self._wakers = self._wakers, []\n        for waker in wakers:\n"
                 "            waker.wake()\n"),
        ),
    ),
]
MUTANTS += [
    mutant(
        "ready_future_forgets_its_value",
        STAGE,
        hint="poll_after_ready",
        file=FILE,
        find="        if self._done:\n"
        '            raise PolledAfterCompletion("ReadyFuture polled after it returned Ready")\n'
        "        self._done = True\n        return Ready(self._value)\n",
        replace="        value = self._value\n        del self._value  # handed out\n"
        "        return Ready(value)\n",
        note="ReadyFuture deletes its value after Ready, so a second poll raises AttributeError",
    ),
]
