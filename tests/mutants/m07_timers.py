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
    mutant("stale_park_timeout", STAGE, hint="park_timeout", file=FILE,
           find="                for _ in range(len(queue)):\n",
           replace="                deadline = self.timers.next_deadline()\n"
                   "                for _ in range(len(queue)):\n",
           note="the park deadline is read before the tasks ran, so a timer a task registered "
                "in this round is not seen",
           more=(Edit(FILE, "                    self._park()  #", "                    "
                            "self._park(deadline)  #"),
                 Edit(FILE, "    def _park(self) -> None:\n", "    def _park(self, deadline: "
                            "float | None) -> None:\n"),
                 Edit(FILE, "        deadline = self.timers.next_deadline()  # now, after the "
                            "round that may have added one\n", ""))),
]
