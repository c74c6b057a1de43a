"""Stage 07 mistakes (SPEC §3), each a minimal edit of solutions/07_timers/timers.py."""

from grader.mutants import Edit, mutant

STAGE = "07_timers"
FILE = "timers.py"

MUTANTS = [
    mutant("first_waker_only", STAGE, hint="stale_waker", file=FILE,
           find="        elif entry.waker is not None and not entry.waker.will_wake(cx.waker):\n"
                "            entry.waker = cx.waker  # the latest waker counts (Rust: "
                "`waker.clone_from(..)`)\n",
           replace="",
           note="Sleep keeps only the first waker it registered (the original workshop's bug)"),
    mutant("dropped_sleep_kept", STAGE, hint="dropped_sleep", file=FILE,
           find="            self._driver.cancel(entry)  # dropped before Ready: remove the timer\n",
           replace="            pass\n",
           note="a dropped Sleep leaves its timer in the driver, which later wakes a task that "
                "moved on or finished (the original workshop's bug)"),
    mutant("register_every_poll", STAGE, hint="duplicate_entry", file=FILE,
           find="        if entry is None:\n            self._entry = self._driver.register(",
           replace="        if True:\n            self._entry = self._driver.register(",
           note="every Pending poll pushes a new heap entry"),
    mutant("fires_early", STAGE, hint="fired_early", file=FILE,
           find="        if self._driver.clock.now() >= self.deadline:\n",
           replace="        if self._entry is not None or self._driver.clock.now() >= self.deadline:\n",
           note="a Sleep polled again after registering assumes its timer fired"),
    mutant("max_heap", STAGE, hint="max_heap", file=FILE,
           find="heapq.heappush(self._heap, (deadline, next(self._seq), entry))",
           replace="heapq.heappush(self._heap, (-deadline, next(self._seq), entry))",
           note="the heap's top is the latest deadline (a max-heap, Rust's BinaryHeap default)"),
    mutant("tie_compares_entries", STAGE, hint="heap_tie", file=FILE,
           find="heapq.heappush(self._heap, (deadline, next(self._seq), entry))",
           replace="heapq.heappush(self._heap, (deadline, entry))",
           note="no sequence number: equal deadlines compare the entries (TypeError)"),
    # -- the timer layer's `_park` (stage 06's executor is given, spawn.py) --
    mutant("park_with_sleep", STAGE, hint="cross_thread_wake", file=FILE,
           find="            super()._park(wait)  # on the condition: a wake from another thread "
                "ends it early\n",
           replace="            time.sleep(wait)  # a plain sleep until the deadline\n",
           note="_park waits for the deadline with time.sleep: a wake from another thread is "
                "seen only once the timer runs out"),
    mutant("deadlock_without_timer", STAGE, hint="cross_thread_wake", file=FILE,
           find="            super()._park(timeout)  # no timer: stage 06's rule (Deadlock if "
                "nothing can wake)\n",
           replace="            if timeout is None:  # no timer: nothing left to wait for\n"
                   "                raise Deadlock(\"no timer is set\")\n"
                   "            super()._park(0)\n",
           note="with no timer _park raises Deadlock itself, though a blocking thread may still wake a task"),
    mutant("auto_advance_while_blocking", STAGE, hint="blocking_auto_advance", file=FILE,
           find="        if self.clock.paused and not self._blocking:\n",
           replace="        if self.clock.paused:\n",
           note="a paused clock jumps to the next deadline while a spawn_blocking thread still runs"),
    mutant("no_fire_when_busy", STAGE, hint="timer_starved", file=FILE,
           find="        if deadline is None:\n            super()._park(timeout)",
           replace="        if deadline is None or timeout == 0:\n            super()._park(timeout)",
           note="_park(0) (tasks still runnable) returns without firing the timers that are due"),

    # -- issue 10, kind 1: state first, then wake (the driver is stage 07's wake site) --
    mutant("wake_before_marking", STAGE, hint="wake_before_state", file=FILE,
           find="            waker, entry.waker = entry.waker, None\n"
                "            if waker is not None:\n"
                "                self._live -= 1\n"
                "                fired += 1\n"
                "                waker.wake()\n",
           replace="            waker = entry.waker\n"
                   "            if waker is not None:\n"
                   "                waker.wake()\n"
                   "                entry.waker = None\n"
                   "                self._live -= 1\n"
                   "                fired += 1\n",
           note="the driver wakes a timer's waker before marking the entry fired: a task polled "
                "inside wake() cancels the still-live entry, and the count is decremented twice"),
    mutant("pop_after_wake", STAGE, hint="wake_before_state", file=FILE,
           find="            heapq.heappop(heap)\n            waker, entry.waker = entry.waker, None\n",
           replace="            waker, entry.waker = entry.waker, None\n",
           note="the fired entry is popped after the wake: the woken task (polled inside wake()) "
                "already moved the heap's top, and the pop removes another, live timer",
           more=(Edit(FILE, "                waker.wake()\n        return fired\n",
                      "                waker.wake()\n            heapq.heappop(heap)\n"
                      "        return fired\n"),)),
    # -- kind 3: the latest waker, for every future that stores one --
    mutant("will_wake_inverted", STAGE, hint="stale_waker", file=FILE,
           find="        elif entry.waker is not None and not entry.waker.will_wake(cx.waker):\n",
           replace="        elif entry.waker is not None and entry.waker.will_wake(cx.waker):\n",
           note="the waker is replaced only when it is the same one: a new waker is never kept"),
    mutant("timeout_first_waker_only", STAGE, hint="stale_waker", file=FILE,
           find="        if self._sleep.poll(cx) is not Pending:\n",
           replace="        sleep = self._sleep\n"
                   "        if (sleep._driver.clock.now() >= sleep.deadline if sleep._entry is not None\n"
                   "                else sleep.poll(cx) is not Pending):\n",
           note="Timeout polls its sleep only once (to register it) and later compares the clock "
                "itself: the timer keeps the waker of the first poll"),
    # -- kind 4: falsy values --
    mutant("timeout_truthy_value", STAGE, hint="falsy_value", file=FILE,
           find="        if result is not Pending:\n            self._done = True\n"
                "            self._sleep.drop()  # the inner future won",
           replace="        if result is not Pending and result.value:\n            self._done = True\n"
                   "            self._sleep.drop()  # the inner future won",
           note="Timeout takes a falsy output (0, '', None) for 'not finished yet'"),
    mutant("timeout_none_is_pending", STAGE, hint="falsy_value", file=FILE,
           find="        if result is not Pending:\n            self._done = True\n"
                "            self._sleep.drop()  # the inner future won",
           replace="        if result is not Pending and result.value is not None:\n"
                   "            self._done = True\n"
                   "            self._sleep.drop()  # the inner future won",
           note="Timeout takes Ready(None) for 'not finished yet'"),
    # -- kind 5: exceptions come out --
    mutant("timeout_swallows_error", STAGE, hint="timeout_error", file=FILE,
           find="            self._sleep.drop()\n            raise\n",
           replace="            self._sleep.drop()\n"
                   "            return Ready(None)  # type: ignore[arg-type]\n",
           note="an exception from the inner future becomes Ready(None)"),
    mutant("timeout_error_as_elapsed", STAGE, hint="timeout_error", file=FILE,
           find="            self._sleep.drop()\n            raise\n",
           replace="            self._sleep.drop()\n"
                   "            raise Elapsed('the inner future failed') from None\n",
           note="an exception from the inner future is reported as Elapsed"),
    mutant("timeout_error_keeps_timer", STAGE, hint="dropped_sleep", file=FILE,
           find="            self._sleep.drop()\n            raise\n",
           replace="            raise\n",
           note="when the inner future raises, the Timeout's timer stays in the driver"),
    # -- kind 6: every drop path --
    mutant("timeout_drop_keeps_inner", STAGE, hint="timeout_dropped", file=FILE,
           find="            self._inner.drop()\n            self._sleep.drop()\n",
           replace="            self._sleep.drop()\n",
           note="a Timeout dropped while pending never drops its inner future"),
    mutant("timeout_drop_keeps_timer", STAGE, hint="dropped_sleep", file=FILE,
           find="            self._inner.drop()\n            self._sleep.drop()\n",
           replace="            self._inner.drop()\n",
           note="a Timeout dropped while pending leaves its timer in the driver"),
    mutant("timeout_win_keeps_timer", STAGE, hint="dropped_sleep", file=FILE,
           find="            self._sleep.drop()  # the inner future won: its timer goes\n",
           replace="",
           note="the inner future won, but the Timeout's timer stays until its deadline"),
    mutant("elapsed_keeps_inner", STAGE, hint="timeout", file=FILE,
           find="            self._inner.drop()  # the deadline won: the inner future is cancelled\n",
           replace="",
           note="the deadline won, but the inner future is never dropped"),
    mutant("ready_sleep_keeps_entry", STAGE, hint="ready_sleep_entry", file=FILE,
           find="                self._driver.cancel(self._entry)\n",
           replace="",
           note="a Sleep polled after its deadline, before the driver fired it, returns Ready "
                "and leaves its entry (a later wake of a finished future)"),
    mutant("register_before_clock_check", STAGE, hint="ready_sleep_entry", file=FILE,
           find="""        if self._driver.clock.now() >= self.deadline:
            self._done = True
            if self._entry is not None:  # due, but polled before the driver fired it
                self._driver.cancel(self._entry)
                self._entry = None
            return Ready(None)
        entry = self._entry
        if entry is None:
            self._entry = self._driver.register(self.deadline, cx.waker)
        elif""",
           replace="""        entry = self._entry
        if entry is None:
            self._entry = self._driver.register(self.deadline, cx.waker)
        if self._driver.clock.now() >= self.deadline:
            self._done = True
            return Ready(None)
        if entry is None:
            pass
        elif""",
           note="Sleep registers (or keeps) its timer first and checks the clock after: a Ready "
                "sleep leaves its entry in the driver"),
    mutant("cancel_remove_no_heapify", STAGE, hint="cancel_breaks_order", file=FILE,
           find="        entry.waker = None\n        self._live -= 1\n",
           replace="        entry.waker = None\n        self._live -= 1\n"
                   "        self._heap = [item for item in self._heap if item[-1] is not entry]\n",
           note="cancel() filters the entry out of the heap's list, which is then no longer a "
                "heap (no heapify)"),
    mutant("tie_by_id", STAGE, hint="heap_tie", file=FILE,
           find="heapq.heappush(self._heap, (deadline, next(self._seq), entry))",
           replace="heapq.heappush(self._heap, (deadline, id(entry), entry))",
           note="ties broken by id(entry): no TypeError, but not registration order"),
    mutant("cancel_not_idempotent", STAGE, hint="cancel_fired", file=FILE,
           find="        if entry.waker is None:\n            return\n        entry.waker = None\n",
           replace="        entry.waker = None\n",
           note="cancel() of an entry that already fired decrements the count again"),
    mutant("next_deadline_counts_cancelled", STAGE, hint="dropped_sleep", file=FILE,
           find="        while heap and heap[0][-1].waker is None:\n"
                "            heapq.heappop(heap)  # cancelled: really remove it now\n",
           replace="",
           note="next_deadline() reports a cancelled timer: the executor parks for nothing"),
    # -- kind 7: boundaries exactly --
    mutant("sleep_early_by_epsilon", STAGE, hint="fired_early", file=FILE,
           find="        if self._driver.clock.now() >= self.deadline:\n",
           replace="        if self._driver.clock.now() >= self.deadline - 1e-3:\n",
           note="a Sleep is Ready a millisecond before its deadline (float 'tolerance')"),
    mutant("driver_early_by_epsilon", STAGE, hint="fired_early", file=FILE,
           find="            if entry.waker is not None and entry.deadline > now:\n",
           replace="            if entry.waker is not None and entry.deadline - 1e-9 > now:\n",
           note="the driver fires timers a nanosecond early (float 'tolerance')"),
    mutant("sleep_late_at_deadline", STAGE, hint="not_due_at_deadline", file=FILE,
           find="        if self._driver.clock.now() >= self.deadline:\n",
           replace="        if self._driver.clock.now() > self.deadline:\n",
           note="a Sleep is still Pending at exactly its deadline (after its timer fired)"),
    mutant("driver_late_at_deadline", STAGE, hint="not_due_at_deadline", file=FILE,
           find="            if entry.waker is not None and entry.deadline > now:\n",
           replace="            if entry.waker is not None and entry.deadline >= now:\n",
           note="the driver does not fire a timer at exactly its deadline"),
    mutant("park_negative", STAGE, hint="park_negative", file=FILE,
           find="                self.clock.auto_advance(wait)\n",
           replace="                self.clock.auto_advance(deadline - self.clock.now())\n",
           note="the jump reads the clock a second time: on a clock that moves between reads the "
                "deadline may just have passed, and the jump is negative"),
    # -- docstring rules --
    mutant("sleep_polled_after_ready", STAGE, hint="poll_after_ready", file=FILE,
           find="            raise PolledAfterCompletion(\"Sleep polled after it returned Ready\")\n",
           replace="            return Ready(None)\n",
           note="a finished Sleep answers Ready again instead of raising PolledAfterCompletion"),
    mutant("timeout_polled_after_ready", STAGE, hint="poll_after_ready", file=FILE,
           find="        if self._done:\n            raise PolledAfterCompletion(\"Timeout polled",
           replace="        if False:\n            raise PolledAfterCompletion(\"Timeout polled",
           note="a finished Timeout polls its finished inner future again"),
    mutant("timeout_sleep_first", STAGE, hint="timeout", file=FILE,
           find="        try:\n            result = self._inner.poll(cx)\n",
           replace="        if self._sleep.poll(cx) is not Pending:\n"
                   "            self._done = True\n"
                   "            self._inner.drop()\n"
                   "            raise Elapsed(f\"deadline has elapsed ({self._sleep.deadline:g})\")\n"
                   "        try:\n            result = self._inner.poll(cx)\n",
           note="Timeout polls the deadline first: a future ready at the deadline loses"),
    mutant("timeout_never_arms_timer", STAGE, hint="timeout", file=FILE,
           find="        if self._sleep.poll(cx) is not Pending:\n",
           replace="        if self._sleep._driver.clock.now() >= self._sleep.deadline:\n",
           note="Timeout compares the clock itself instead of polling its sleep: no timer is "
                "ever registered, so nothing wakes the task at the deadline"),
    mutant("fire_count_includes_dead", STAGE, hint="timer_driver", file=FILE,
           find="            heapq.heappop(heap)\n            waker, entry.waker = entry.waker, None\n",
           replace="            heapq.heappop(heap)\n            fired += entry.waker is None\n"
                   "            waker, entry.waker = entry.waker, None\n",
           note="fire_expired() also counts the cancelled entries it discards"),
    # -- kind 10: a Context kept after its poll --
    mutant("sleep_keeps_context", STAGE, hint="context_outlived_poll", file=FILE,
           find="        elif entry.waker is not None and not entry.waker.will_wake(cx.waker):\n"
                "            entry.waker = cx.waker  # the latest waker counts (Rust: "
                "`waker.clone_from(..)`)\n",
           replace="        elif entry.waker is not None and not self._cx.waker.will_wake(cx.waker):\n"
                   "            entry.waker = cx.waker\n"
                   "        self._cx = cx  # to see next time whether the task changed\n",
           note="Sleep keeps the Context of its last poll to compare wakers (with the executor's "
                "shared Context it silently keeps a stale waker)",
           more=(Edit(FILE, '    __slots__ = ("_done", "_driver", "_entry", "deadline")\n',
                      '    __slots__ = ("_cx", "_done", "_driver", "_entry", "deadline")\n'),)),
]
