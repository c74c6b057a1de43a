from grader.model import Given, Hint, Stage

STAGE = Stage(
    id="07_timers",
    title="Timers: sleep, timeout and a clock you control",
    minutes=45,
    files=("timers.py",),
    # Stage 06's answer, extended by subclassing; the capstone runs on the attendee's timers.py.
    given=(Given("spawn.py", source="solutions/06_spawn/spawn.py"),
           Given("capstone.py", source="solutions/07_timers/capstone.py")),
    goal="Add a timer driver to the executor: sleep, sleep_until and timeout on a min-heap of "
         "deadlines, with an injectable clock that jumps ahead when the runtime is idle.",
    hints=(
        Hint(
            id="sleep",
            title="Sleep wakes at its deadline",
            symptom="A sleep finished at the wrong time, tasks woke out of deadline order, or "
                    "the executor did not park exactly until the next deadline.",
            why="When no task is runnable, the only thing that can happen next is the earliest "
                "timer. The executor parks until then (a virtual clock jumps there at once), "
                "fires what is due, and the woken tasks run.",
            check="Follow one sleep: its first poll registers a timer; `_park` reads the "
                  "earliest deadline and parks for `deadline - now`; `fire_expired` wakes it; "
                  "its next poll sees `now >= deadline`.",
            pointer="Put a print in `Executor._park` of the deadline it parks on and "
                    "`clock.now()`, and one in `TimerDriver.fire_expired` of each waker it wakes: "
                    "the first line that differs from your trace on paper is the step to read.",
            rust="tokio's time driver: `park_timeout(next_deadline - now)`, then process the "
                 "expired entries.",
            slide="Sleep: a future that waits for the clock",
        ),
        Hint(
            id="timer_driver",
            title="The timer driver's bookkeeping",
            symptom="register / next_deadline / fire_expired / len did not agree: a due timer "
                    "was not woken, or an entry stayed after it fired.",
            why="The driver is the runtime's list of promises: every registered timer is woken "
                "exactly once when due, and then forgotten.",
            check="After fire_expired(), is a fired entry gone from the heap and from len()? "
                  "Does next_deadline() skip entries that can no longer fire?",
            pointer="Read `TimerDriver` as four methods sharing state: for each field (the heap, "
                    "any counter), note which of `register`, `cancel` and `fire_expired` change "
                    "it; a field that only one of them updates is a suspect.",
            rust="The workshop's `update_timers`: pop while `deadline <= now`, wake each waker.",
            slide="The timer heap",
        ),
        Hint(
            id="max_heap",
            title="The heap gives the latest deadline first",
            symptom="next_deadline() or fire_expired() looked at the latest timer instead of "
                    "the earliest.",
            why="The driver only ever needs the earliest deadline: that is what a min-heap "
                "keeps at index 0. Ordered the other way, an early timer hides behind a late "
                "one and fires late.",
            check="What exactly do you push onto the heap? Which item ends up at `heap[0]`, "
                  "and is its deadline the smallest?",
            pointer="The `heapq` call in `TimerDriver.register`, and the reads of `heap[0]` in "
                    "`next_deadline` and `fire_expired`: does anything in the pushed item (a "
                    "minus sign, a reversed field, a sort) turn the order around?",
            rust="`BinaryHeap` is a max-heap: the workshop reverses `Ord` (or uses `Reverse`). "
                 "Python's `heapq` is a min-heap already.",
            slide="The timer heap",
        ),
        Hint(
            id="heap_tie",
            title="Two timers with the same deadline",
            symptom="Registering two timers with equal deadlines raised TypeError, or equal "
                    "deadlines fired out of registration order.",
            why="heapq compares whole items. With equal deadlines it compares the next field: "
                "if that is a waker or an entry, Python has no order for it. A field that always "
                "differs and grows with each registration fixes both the crash and FIFO order.",
            check="What is the second element of the items you push? Can two items ever compare "
                  "equal up to something that is not orderable?",
            pointer="`TimerDriver.register`, at the `heappush` line, on the second registration "
                    "of a deadline that is already in the heap: that is the only moment the tie "
                    "matters.",
            rust="Rust would not compile `Ord` for a `Waker` field; tokio keeps FIFO order "
                 "within a slot of its timer wheel.",
            slide="The timer heap",
        ),
        Hint(
            id="fired_early",
            title="A sleep finished before its deadline",
            symptom="A Sleep returned Ready (or its timer was woken) while the clock was still "
                    "before its deadline.",
            why="Being polled again is no proof that the time has come: polls can be spurious, "
                "and a task may be woken by something else. Only the clock says when a sleep is "
                "done.",
            check="What does Sleep.poll compare before returning Ready? Is it the clock against "
                  "the deadline, every time, and nothing else?",
            pointer="`Sleep.poll`, on the path of a poll (or a wake) that comes before the "
                    "deadline: does the condition that leads to `Ready` read the clock on that "
                    "very poll, or rely on something remembered, such as a flag or an entry that "
                    "fired?",
            rust="tokio's `Sleep::poll` checks the entry's state set by the driver, which fires "
                 "only when `now >= deadline`.",
            slide="Sleep: a future that waits for the clock",
        ),
        Hint(
            id="stale_waker",
            title="Only the first waker was registered",
            symptom="A Sleep was polled with a new waker, and when it was due the old waker was "
                    "woken instead of the new one.",
            why="Between polls a future can move to another task (inside select, join or a "
                "spawned task): the latest waker is the one that reaches whoever waits now. The "
                "original workshop's sleep registers once and never updates the waker.",
            check="On a Pending poll after the first, do you replace the registered entry's "
                  "waker when `will_wake` says it is a different one?",
            pointer="`Sleep.poll`, on the Pending path of a later poll, when an entry already "
                    "exists: which line there looks at `cx.waker`?",
            rust="tokio's `TimerEntry::poll_elapsed` calls `waker.register_by_ref(cx.waker())` "
                 "on every poll.",
            slide="Register once, update the waker",
        ),
        Hint(
            id="duplicate_entry",
            title="A new timer on every poll",
            symptom="One Sleep polled several times left several entries in the driver, or was "
                    "woken more than once.",
            why="Every poll of a pending Sleep is not a new timer. Pushing a new entry each "
                "time grows the heap with every spurious poll and wakes the task once per entry.",
            check="Does your Sleep remember that it registered? On later polls, does it update "
                  "the existing entry instead of registering again?",
            pointer="`Sleep.poll`, the Pending path: find the call to `register` and the "
                    "condition around it. What does that condition say on the second poll?",
            rust="A tokio `Sleep` owns one `TimerEntry` for its whole life.",
            slide="Register once, update the waker",
        ),
        Hint(
            id="dropped_sleep",
            title="A dropped sleep still fires",
            symptom="A Sleep (or a Timeout's timer) was dropped before its deadline, yet its "
                    "entry stayed in the driver and woke a task later.",
            why="Dropping a future cancels it: whatever it registered must go. A stale timer "
                "wakes a task that finished or is waiting for something else, and makes the "
                "executor park for nothing. The original workshop never removes them.",
            check="What does Sleep.drop() do? Does it tell the driver to forget its entry, and "
                  "does next_deadline() then ignore it?",
            pointer="Follow `Sleep.drop` down into `TimerDriver.cancel`, to the heap and any "
                    "counter, then ask what `fire_expired` would find for that entry later.",
            rust="`impl Drop for TimerEntry` removes the entry from the driver "
                 "(`clear_entry`).",
            slide="Drop removes the timer",
        ),
        Hint(
            id="park_timeout",
            title="Parked too long: the deadline was read too early",
            symptom="A task registered a timer earlier than the one the executor already knew "
                    "of, and it woke late: the executor parked until the later deadline.",
            why="Any poll can register a timer. The park timeout must be computed from the "
                "timers as they are after the whole round of polls, right before parking.",
            check="Where do you read the earliest deadline: in `_park`, right before you wait, "
                  "or somewhere earlier, before the tasks of this round ran?",
            pointer="`Executor._park`: is the deadline it waits for stored anywhere (a field, a "
                    "minimum cached by the driver) that was filled in before the round? Also look "
                    "in `TimerDriver.next_deadline` for a cached value that `register` does not "
                    "refresh.",
            rust="tokio computes the park timeout in the driver's `park`, after the scheduler "
                 "ran its tasks.",
            slide="Parking until the next deadline",
        ),
        Hint(
            id="timeout",
            title="Timeout: the future or Elapsed",
            symptom="timeout() did not return the inner future's output in time, did not raise "
                    "Elapsed at the deadline, or did not drop the loser.",
            why="A timeout is a select between a future and a sleep. The inner future is "
                "polled first (ready at the deadline still wins); the loser is dropped once.",
            check="In Timeout.poll, which do you poll first? What happens to the sleep when "
                  "the inner future wins, and to the inner future when the sleep does?",
            pointer="`Timeout.poll` on the poll where both are ready at once (the inner future "
                    "finishes exactly at the deadline): which of your branches runs first, and "
                    "which future is left undropped at the end of it?",
            rust="`tokio::time::timeout` returns `Err(Elapsed)`; it polls the future before "
                 "the delay.",
            slide="Timeout is a select",
        ),
        Hint(
            id="no_wake_possible",
            title="Nothing can ever wake the root",
            symptom="The root was Pending with no runnable task, no timer and no blocking thread, "
                    "and block_on did not raise Deadlock.",
            why="Without a runnable task, a timer or a thread that could still wake a task, "
                "nothing can make progress: parking would last forever. Stage 06's `_park` "
                "knows that rule and raises Deadlock; a clear error beats a hang.",
            check="In `_park`, what happens when there is no next deadline?",
            pointer="`Executor._park`, on the path where `self.timers.next_deadline()` returns "
                    "None: does it hand over to `super()._park(timeout)`, or wait, or return?",
            rust="tokio parks forever in that case (its driver would wait for I/O or a wake "
                 "from another thread); with the clock paused it jumps to the next timer, and "
                 "with none it parks too. Raising is this workshop's choice, to name the bug.",
            slide="Parking until the next deadline",
        ),
        Hint(
            id="not_due_at_deadline",
            title="A sleep was late at its exact deadline",
            symptom="At exactly the deadline, a Sleep was still Pending, or fire_expired() did "
                    "not wake its timer.",
            why="The deadline is the first instant at which the sleep is done: `now == "
                "deadline` is due. A timer not fired at that instant is fired by nothing else: "
                "a virtual clock has already jumped there and will not move again, so the task "
                "sleeps forever.",
            check="Compare the two places that decide 'due': Sleep.poll and fire_expired. Do "
                  "both treat `now == deadline` the same way, as due?",
            pointer="In `fire_expired`, the test to read is the one that ends the loop (or skips "
                    "an entry); in `Sleep.poll`, the one before `Ready`. Evaluate each by hand "
                    "with the clock set exactly on the deadline.",
            rust="tokio: `if now >= deadline { Poll::Ready(()) }`; the driver fires every entry "
                 "whose deadline is `<=` the current tick.",
            slide="Sleep: a future that waits for the clock",
        ),
        Hint(
            id="wake_before_state",
            title="The driver woke a task before it had finished firing the timer",
            symptom="A task polled inside wake() (legal: an executor may poll at once) found "
                    "the driver half-updated: the fired timer still counted, or another timer "
                    "went missing afterwards.",
            why="A wake may run the woken task right away, and that task calls back into the "
                "driver (its Sleep cancels its entry, polls, registers). Everything the fire "
                "changes must be done before the wake, or the task sees, and changes, a state "
                "that is about to be overwritten.",
            check="In fire_expired, for one due timer: what happens before `wake()` and what "
                  "after? Is anything about that timer (or the heap) still to be done once "
                  "`wake()` returns?",
            pointer="`TimerDriver.fire_expired`, inside the loop, for the entry at the top of the "
                    "heap: the `heappop`, the counter, the entry's waker field. Which of these "
                    "lines sits below the `wake()` call?",
            rust="tokio's driver marks an entry fired (`STATE_DEREGISTERED`) and takes its "
                 "waker before waking it.",
            slide="Fire, then wake",
        ),
        Hint(
            id="cancel_breaks_order",
            title="After a cancel, the earliest timer is no longer first",
            symptom="A timer was cancelled, and then next_deadline() or fire_expired() no longer "
                    "found the earliest live timer first.",
            why="A heap is a list with an order invariant that only heapq's own functions keep. "
                "Taking an item out of the middle (`remove`, `del`, a filtering comprehension) "
                "leaves a list that is no longer a heap: index 0 is not the minimum any more.",
            check="How does cancel take the entry out? If it changes the list itself, what "
                  "restores the heap invariant afterwards? (Marking the entry dead needs "
                  "nothing.)",
            pointer="`TimerDriver.cancel`: the line that changes the heap list (`remove`, `del`, "
                    "`pop(i)` or a rebuilt list), and the next read of `heap[0]` by "
                    "`next_deadline`.",
            rust="`BinaryHeap` has no remove: tokio and the workshop mark the entry instead "
                 "and skip it when it surfaces.",
            slide="Drop removes the timer",
        ),
        Hint(
            id="cancel_fired",
            title="Cancelling a timer that already fired (or was cancelled)",
            symptom="cancel() of a timer that had already fired, or was already cancelled, "
                    "changed the driver: the count went wrong, another timer was lost, or it "
                    "raised.",
            why="A Sleep can be woken and then dropped before its next poll (its task was "
                "aborted, a select moved on). Its drop cancels an entry the driver already "
                "forgot. That cancel must do nothing, or the driver's bookkeeping drifts.",
            check="In cancel, how do you know whether the entry is still live? What do you "
                  "change when it is not?",
            pointer="`TimerDriver.cancel` on an entry that `fire_expired` already popped: with "
                    "the entry's fields as `fire_expired` left them, which lines of `cancel` "
                    "still run?",
            rust="tokio's `clear_entry` is idempotent: a fired or removed entry is skipped.",
            slide="Drop removes the timer",
        ),
        Hint(
            id="ready_sleep_entry",
            title="A finished sleep left its timer behind",
            symptom="A Sleep returned Ready before the driver fired its timer (polled late, "
                    "after its deadline), and the timer stayed in the driver.",
            why="A sleep can be polled after its deadline before the driver has run (another "
                "wake, a select). It is Ready, and its task moves on: the timer it registered "
                "will wake a task that no longer waits, and keeps the driver's count and next "
                "deadline wrong.",
            check="In Sleep.poll, on the Ready path: is an entry still registered? What happens "
                  "to it?",
            pointer="The moment to replay: a Sleep registered, the clock moved past its deadline, "
                    "and the Sleep is polled before `fire_expired` runs. Follow `Sleep.poll` in "
                    "that moment, then look at `len(driver)`.",
            rust="tokio's `Sleep` owns its `TimerEntry`: once the sleep is done the entry is "
                 "deregistered (and at the latest when the `Sleep` is dropped).",
            slide="Drop removes the timer",
        ),
        Hint(
            id="poll_after_ready",
            title="Polled after it finished",
            symptom="A Sleep or a Timeout that had finished (Ready, or Elapsed) was polled again "
                    "and did not raise PolledAfterCompletion.",
            why="A finished future has given its output away; a poll after that is a bug in "
                "whoever polls, and the future says so instead of answering again (or polling "
                "an inner future that already finished).",
            check="Does each future remember that it finished, and check that first in poll?",
            pointer="The first lines of `Sleep.poll` and of `Timeout.poll`: which field would "
                    "tell a third poll that it already finished, and is it set on every finishing "
                    "path, including the ones that raise?",
            rust="`Future::poll` after `Ready` may panic; `FusedFuture` makes it explicit.",
            slide="Sleep: a future that waits for the clock",
        ),
        Hint(
            id="falsy_value",
            title="Ready(0) is a value",
            symptom="The inner future of a Timeout returned a falsy value (0, \"\", None, [], "
                    "False) and the Timeout did not return it.",
            why="Readiness is `Ready` versus `Pending`, not whether the value is truthy. `0`, "
                "`\"\"` and `None` are outputs like any other.",
            check="In Timeout.poll, how do you decide that the inner future finished? Does that "
                  "test look at the value?",
            pointer="`Timeout.poll`, the line right after the inner poll: what expression decides "
                    "between the 'inner won' path and polling the sleep?",
            rust="`Poll::Ready(0)` matches `Poll::Ready(v)`; Rust has no truthiness.",
            slide="Values and panics pass through",
        ),
        Hint(
            id="timeout_error",
            title="An exception was lost inside Timeout",
            symptom="The inner future raised, and the Timeout returned a value or raised "
                    "something else instead of letting that exception out.",
            why="An exception in a future is Python's panic: it unwinds through every "
                "combinator that polled it, up to the task (and its JoinHandle). A Timeout only "
                "adds a deadline; it does not decide what a failure means.",
            check="In Timeout.poll, what happens when the inner poll raises? What is cleaned up, "
                  "and what goes on up?",
            pointer="`Timeout.poll`, the call to the inner future's `poll`: follow the path where "
                    "that call raises. Does it pass through an `except` (or `finally`) of yours, "
                    "and what does that block return, raise or swallow?",
            rust="A panic in the inner future unwinds through `Timeout::poll`; the timer is "
                 "removed by `Drop` on the way.",
            slide="Values and panics pass through",
        ),
        Hint(
            id="timeout_dropped",
            title="A dropped Timeout kept its inner future",
            symptom="A Timeout was dropped before it finished, and its inner future was not "
                    "dropped (or was dropped more than once).",
            why="Dropping a combinator cancels everything it owns. The inner future may hold a "
                "lock guard, a channel slot or its own timer: only its drop gives them back.",
            check="What does Timeout.drop() do with each of the two futures it owns, and only "
                  "when it has not finished yet?",
            pointer="`Timeout.drop` and the flag (or state) that says the Timeout finished: on a "
                    "drop after a Pending poll which branch runs, and on a drop after a win which "
                    "one?",
            rust="`Timeout<F>` owns `F` and a `Sleep`: dropping it drops both.",
            slide="Timeout is a select",
        ),
        Hint(
            id="park_negative",
            title="A deadline that passed just before parking",
            symptom="With a clock that moves between two reads (real time does), the executor "
                    "jumped the clock by a negative time (like time.sleep(), the clock raised "
                    "ValueError), or gave up with Deadlock though a timer was set.",
            why="On a real clock, time passes between the round that found nothing due and the "
                "moment `_park` reads the clock: the earliest deadline may have just passed. "
                "Then there is nothing to wait for: fire what is due. A virtual clock never "
                "shows this, which is why it is easy to miss.",
            check="In `_park`, what if `deadline - now` is zero or negative? And how many times do "
                  "you read the clock on the way to `auto_advance`?",
            pointer="`Executor._park`, between reading `self.clock.now()` and calling "
                    "`self.clock.auto_advance`: walk that path with a deadline one millisecond "
                    "behind now, with a clock that moves on every read.",
            rust="tokio uses `deadline.saturating_duration_since(now)`: never negative.",
            slide="Parking until the next deadline",
        ),
        Hint(
            id="cross_thread_wake",
            title="A wake from another thread waited for the timer",
            symptom="While block_on was parked until a timer's deadline, another thread woke a "
                    "task (a spawn_blocking thread finishing, a flag set from a thread), and "
                    "block_on did not wake up before the deadline (or gave up with Deadlock).",
            why="A waker is `Send + Sync`: any thread may wake a task at any time. Waiting for "
                "a deadline must therefore be a wait that a wake can end: the executor's "
                "condition with the time left as its timeout (stage 06's `_park(seconds)`), "
                "never a `time.sleep`, which nothing can interrupt.",
            check="How does your `_park` wait until the deadline: with `super()._park(seconds)`, "
                  "or some other way? And with no timer at all, does it hand over to "
                  "`super()._park(timeout)` instead of raising Deadlock itself?",
            pointer="`Executor._park`, on a real clock with a timer set: the line that makes the "
                    "thread wait. Which object would a wake from another thread notify, and is "
                    "that the one you wait on?",
            rust="`Condvar::wait_timeout(guard, deadline - now)`: the waker's `notify_one()` "
                 "ends it early. tokio's time driver parks its inner driver with "
                 "`park_timeout(duration)`, and `Unparker::unpark` ends that.",
            slide="Parking until the next deadline",
        ),
        Hint(
            id="blocking_auto_advance",
            title="The paused clock jumped while a blocking thread ran",
            symptom="On a virtual clock, a spawn_blocking thread was running and a timer was "
                    "set; the clock jumped to the timer's deadline before the thread finished.",
            why="A paused clock jumps to the next deadline only when the runtime is idle. A "
                "running blocking thread may be exactly what the runtime waits for: its result "
                "could change everything before that deadline. So while one runs, wait for "
                "real, like a real clock.",
            check="Before your `_park` jumps the clock, what does it check besides "
                  "`self.clock.paused`?",
            pointer="`Executor._park`, the branch that calls `self.clock.auto_advance`: is it "
                    "reached while `self._blocking > 0`?",
            rust="tokio: `spawn_blocking` calls `inhibit_auto_advance()`, and the time driver "
                 "auto-advances only if `clock.can_auto_advance()`.",
            slide="A clock you control",
        ),
        Hint(
            id="timer_starved",
            title="A busy task starved a timer",
            symptom="A task that was always runnable kept running, and a timer whose deadline "
                    "had passed did not fire until that task stopped.",
            why="block_on calls `_park(0)` after every round in which something is still "
                "runnable: that is the timers' turn. If `_park(0)` does not fire what is due, a "
                "busy task (one that wakes itself on every poll) starves every timer.",
            check="What does your `_park` do when `timeout` is 0?",
            pointer="`Executor._park` with `timeout == 0`: follow it to its end. Is "
                    "`self.timers.fire_expired()` called on that path?",
            rust="tokio's scheduler checks the drivers every `event_interval` ticks "
                 "(`park_timeout(0)`), even when its run queue is never empty.",
            slide="Timers fire between rounds",
        ),
        Hint(
            id="capstone",
            title="The capstone pipeline",
            symptom="capstone.main() with a virtual clock did not return the expected log.",
            why="The capstone runs spawn, sleep_until (rate limiting) and timeout (with a "
                "cancel-safe receive) together; if every earlier test passed, look at how they "
                "interact: a Timeout dropping its inner future, a task woken by a timer and by "
                "a send in the same round.",
            check="Run `python capstone.py` in exercises/07_timers and compare with the expected "
                  "log in the message above.",
            pointer="capstone.py is complete as given: the difference comes from timers.py. Take "
                    "the first tick where your log and the expected one differ, and ask whether "
                    "the producer's `sleep_until` or the consumer's `timeout` around `recv` acts "
                    "at that tick.",
            rust="The same pipeline in tokio: `interval`, `mpsc`, `timeout(dur, rx.recv())`.",
            slide="Capstone: a rate-limited pipeline",
        ),
    ),
)
