"""Stage 06 mistakes (SPEC §3), each a minimal edit of solutions/06_spawn/spawn.py."""

from grader.mutants import Edit, mutant

STAGE = "06_spawn"
FILE = "spawn.py"

MUTANTS = [
    mutant("double_schedule", STAGE, hint="double_schedule", file=FILE,
           find="            if self._scheduled or self._future is None:\n",
           replace="            if self._future is None:\n",
           note="every wake pushes the task again, as the original workshop's spawner does"),
    mutant("wake_while_running", STAGE, hint="wake_while_running", file=FILE,
           find="        self._scheduled = False  # from here on a wake (even one during this poll)"
                " queues it again\n        try:\n            result = future.poll(cx)\n",
           replace="        try:\n            result = future.poll(cx)\n"
                   "            self._scheduled = False\n",
           note="the 'queued' flag is cleared after the poll: a wake during the poll is lost"),
    mutant("queue_mutated", STAGE, hint="queue_mutated", file=FILE,
           find="                for _ in range(len(queue)):\n"
                "                    queue.popleft().run()\n",
           replace="                for task in queue:\n                    task.run()\n"
                   "                queue.clear()\n",
           note="iterates over the run queue while tasks append to it"),
    mutant("join_never_woken", STAGE, hint="join_never_woken", file=FILE,
           find="            waker.wake()  # the JoinHandle's awaiter can now read the result\n",
           replace="            pass\n",
           note="a finishing task never wakes whoever awaits its JoinHandle"),
    mutant("exception_lost", STAGE, hint="exception_lost", file=FILE,
           find="            self._finish(None, error)\n",
           replace="            self._finish(None, None)\n",
           note="an exception raised by a task is swallowed; its JoinHandle gives None"),
    mutant("lifo_pop", STAGE, hint="run_queue_fifo", file=FILE,
           find="                    queue.popleft().run()\n",
           replace="                    queue.pop().run()  # the newest first\n",
           note="the run queue is used as a stack: the task woken last runs first"),
    mutant("lifo_push", STAGE, hint="run_queue_fifo", file=FILE,
           find="            executor._queue.append(self)\n            executor._unpark()\n",
           replace="            executor._queue.appendleft(self)  # to the front\n"
                   "            executor._unpark()\n",
           note="wake() puts the task at the front of the queue"),
    mutant("drain_until_empty", STAGE, hint="root_starved", file=FILE,
           find="                for _ in range(len(queue)):\n",
           replace="                while queue:  # run every task there is\n",
           note="block_on runs the queue until it is empty before polling the root again: a "
                "task that yield-loops starves the root"),
    mutant("root_polled_every_round", STAGE, hint="root_polled_unwoken", file=FILE,
           find="                if self._root_woken:\n",
           replace="                if True:  # poll the root on every round\n",
           note="the root is polled on every round, woken or not"),
    mutant("join_woken_before_output", STAGE, hint="join_state_first", file=FILE,
           find="        self._output, self._error = output, error\n"
                "        self._executor._tasks.pop(self, None)\n"
                "        waker, self._join_waker = self._join_waker, None\n"
                "        if waker is not None:\n"
                "            waker.wake()  # the JoinHandle's awaiter can now read the result\n",
           replace="        self._executor._tasks.pop(self, None)\n"
                   "        waker, self._join_waker = self._join_waker, None\n"
                   "        if waker is not None:\n"
                   "            waker.wake()\n"
                   "        self._output, self._error = output, error\n",
           note="the JoinHandle's waker is woken before the output is stored"),
    mutant("join_woken_before_finished", STAGE, hint="join_state_first", file=FILE,
           find="        self._future = None  # release the future (and whatever it holds) right away\n"
                "        self._output, self._error = output, error\n"
                "        self._executor._tasks.pop(self, None)\n"
                "        waker, self._join_waker = self._join_waker, None\n"
                "        if waker is not None:\n"
                "            waker.wake()  # the JoinHandle's awaiter can now read the result\n",
           replace="        self._output, self._error = output, error\n"
                   "        self._executor._tasks.pop(self, None)\n"
                   "        waker, self._join_waker = self._join_waker, None\n"
                   "        if waker is not None:\n"
                   "            waker.wake()\n"
                   "        self._future = None  # finished\n",
           note="the JoinHandle's waker is woken before the task counts as finished"),
    mutant("join_first_waker_only", STAGE, hint="join_latest_waker", file=FILE,
           find="            task._join_waker = cx.waker  # the latest waker: woken in Task._finish\n",
           replace="            if task._join_waker is None:  # keep the first waker\n"
                   "                task._join_waker = cx.waker\n",
           note="the JoinHandle keeps the waker of its first poll only"),
    mutant("join_ready_twice", STAGE, hint="join_after_ready", file=FILE,
           find="        self._taken = True\n",
           replace="",
           note="a JoinHandle polled after Ready hands out its output again"),
    mutant("join_error_wrapped", STAGE, hint="exception_lost", file=FILE,
           find="            raise task._error\n",
           replace="            raise RuntimeError(f\"the task failed: {task._error!r}\")\n",
           note="the JoinHandle raises a new exception instead of the task's own"),
    mutant("root_error_wrapped", STAGE, hint="exception_lost", file=FILE,
           find="                    result = future.poll(cx)\n",
           replace="                    try:\n"
                   "                        result = future.poll(cx)\n"
                   "                    except Exception as error:\n"
                   "                        raise RuntimeError(\"the root failed\") from error\n",
           note="block_on wraps the root's exception in another one"),
    mutant("abort_without_wake", STAGE, hint="abort_wake", file=FILE,
           find="        self._finish(None, Cancelled(\"the task was aborted\"))\n",
           replace="        self._future = None\n"
                   "        self._error = Cancelled(\"the task was aborted\")\n"
                   "        self._executor._tasks.pop(self, None)\n",
           note="abort() cancels the task but never wakes whoever awaits its JoinHandle"),
    mutant("handle_drop_aborts", STAGE, hint="abort", file=FILE,
           find="        self._task._join_waker = None  # detach: the task runs on, nobody waits for it\n",
           replace="        self._task.abort()  # nobody wants the result any more\n",
           note="dropping a JoinHandle cancels its task"),
    mutant("shutdown_newest_first", STAGE, hint="shutdown", file=FILE,
           find="            task = next(iter(self._tasks))\n",
           replace="            task = next(reversed(self._tasks))  # the newest first\n",
           note="shutdown drops the unfinished tasks newest first"),
    mutant("shutdown_queue_first", STAGE, hint="shutdown", file=FILE,
           find="        while self._tasks:\n",
           replace="        for task in list(self._queue):  # the queued ones first\n"
                   "            task.abort()\n"
                   "        while self._tasks:\n",
           note="shutdown drops the queued tasks first, then the waiting ones"),
    mutant("shutdown_only_on_return", STAGE, hint="shutdown", file=FILE,
           find="            _current.executor = None\n            self._shutdown()\n",
           replace="            _current.executor = None\n",
           note="unfinished tasks are dropped when the root returns, not when it raises",
           more=(Edit(FILE, "                        return result.value\n",
                      "                        self._shutdown()\n"
                      "                        return result.value\n"),)),
    mutant("finished_task_kept", STAGE, hint="release_finished", file=FILE,
           find="        self._executor._tasks.pop(self, None)\n"
                "        waker, self._join_waker",
           replace="        waker, self._join_waker",
           note="the executor keeps every task until shutdown, finished ones too",
           more=(Edit(FILE, "        while self._tasks:\n"
                            "            task = next(iter(self._tasks))\n"
                            "            task.abort()  # removes it from _tasks\n",
                      "        for task in list(self._tasks):\n"
                      "            task.abort()  # does nothing to a finished task\n"
                      "        self._tasks.clear()\n"),)),
    mutant("no_nested_check", STAGE, hint="nested_block_on", file=FILE,
           find="        if getattr(_current, \"executor\", None) is not None:\n            raise",
           replace="        if False:  # no nesting check\n            raise",
           note="block_on inside block_on is not refused"),
    mutant("current_reset_only_on_return", STAGE, hint="executor_reset", file=FILE,
           find="            _current.executor = None\n            self._shutdown()\n",
           replace="            self._shutdown()\n",
           note="the thread's current executor is cleared only when the root returns",
           more=(Edit(FILE, "                        return result.value\n",
                      "                        _current.executor = None\n"
                      "                        return result.value\n"),)),
    mutant("join_ready_by_output", STAGE, hint="join_never_woken", file=FILE,
           find="        if task._future is not None:\n"
                "            task._join_waker = cx.waker  # the latest waker: woken in Task._finish\n",
           replace="        if task._output is None and task._error is None:  # no result yet\n"
                   "            task._join_waker = cx.waker\n",
           note="the JoinHandle takes a None output for \"not finished yet\""),
    mutant("shutdown_iterates_shrinking_dict", STAGE, hint="shutdown", file=FILE,
           find="        while self._tasks:\n"
                "            task = next(iter(self._tasks))\n"
                "            task.abort()  # removes it from _tasks\n",
           replace="        for task in self._tasks:\n"
                   "            task.abort()\n",
           note="shutdown iterates the dict of unfinished tasks while abort() removes from it"),
    mutant("abort_drops_twice", STAGE, hint="abort", file=FILE,
           find="        self._finish(None, Cancelled(\"the task was aborted\"))\n",
           replace="        future.drop()  # clean up first\n"
                   "        self._finish(None, Cancelled(\"the task was aborted\"))\n",
           note="abort() drops the future twice"),
    mutant("abort_finished_cancels", STAGE, hint="abort", file=FILE,
           find="        future = self._future\n        if future is None:\n            return\n"
                "        self._finish(None, Cancelled(",
           replace="        future = self._future\n        if future is None:\n"
                   "            self._error = Cancelled(\"aborted\")  # too late, but mark it\n"
                   "            return\n"
                   "        self._finish(None, Cancelled(",
           note="abort() of a finished task replaces its result with Cancelled"),
    mutant("root_wake_cleared_after_poll", STAGE, hint="root_wake_lost", file=FILE,
           find="                    self._root_woken = False\n"
                "                    result = future.poll(cx)\n",
           replace="                    result = future.poll(cx)\n"
                   "                    self._root_woken = False  # the root was polled\n",
           note="the root's woken flag is cleared after its poll: a wake during the poll is lost"),
    mutant("root_not_woken_at_start", STAGE, hint="root_first_poll", file=FILE,
           find="        self._root_woken = True\n",
           replace="        self._root_woken = False  # wait for a wake\n",
           note="the root is not runnable at the start: block_on never polls it"),
    mutant("deadlock_ignores_root_wake", STAGE, hint="false_deadlock", file=FILE,
           find="                self._park(0 if self._root_woken or queue else None)\n",
           replace="                if not queue:  # no task left to run\n"
                   "                    raise Deadlock(\"nothing to run\")\n"
                   "                self._park(0)\n",
           note="Deadlock is raised whenever the queue is empty, even if the root was woken"),
    mutant("wake_without_notify", STAGE, hint="cross_thread_wake", file=FILE,
           find="            executor._queue.append(self)\n            executor._unpark()\n",
           replace="            executor._queue.append(self)\n",
           note="Task.wake queues the task but never unparks: a parked block_on sleeps on"),
    mutant("deadlock_instead_of_park", STAGE, hint="cross_thread_wake", file=FILE,
           find="                self._park(0 if self._root_woken or queue else None)\n",
           replace="                if not self._root_woken and not queue:\n"
                   "                    raise Deadlock(\"nothing to run\")\n",
           note="block_on raises Deadlock itself, even while a blocking thread may still wake a task"),
]
