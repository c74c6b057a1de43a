"""Stage 06 mistakes (SPEC §3), each a minimal edit of solutions/06_spawn/spawn.py."""

from grader.mutants import mutant

STAGE = "06_spawn"
FILE = "spawn.py"

MUTANTS = [
    mutant("double_schedule", STAGE, hint="double_schedule", file=FILE,
           find="        if self._scheduled or self._future is None:\n",
           replace="        if self._future is None:\n",
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
]
