from grader.model import Hint, Stage

STAGE = Stage(
    id="07_timers",
    title="Timers: sleep, timeout and a clock you control",
    minutes=45,
    files=("timers.py", "capstone.py"),
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
            check="Where do you read the earliest deadline: before the tasks of this round run, "
                  "or after, right before `clock.park`?",
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
            rust="`tokio::time::timeout` returns `Err(Elapsed)`; it polls the future before "
                 "the delay.",
            slide="Timeout is a select",
        ),
        Hint(
            id="no_wake_possible",
            title="Nothing can ever wake the root",
            symptom="The root was Pending with no runnable task and no timer, and block_on did "
                    "not raise Deadlock.",
            why="Without a runnable task or a timer, nothing on this thread can make progress: "
                "parking would last forever. A clear error beats a hang.",
            check="In `_park`, what happens when there is no next deadline?",
            rust="tokio with paused time panics when the runtime is idle with no timer "
                 "(auto-advance has nowhere to go).",
            slide="Parking until the next deadline",
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
            rust="The same pipeline in tokio: `interval`, `mpsc`, `timeout(dur, rx.recv())`.",
            slide="Capstone: a rate-limited pipeline",
        ),
    ),
)
