from grader.model import Hint, Stage

STAGE = Stage(
    id="01_future",
    title="The Future trait",
    minutes=35,
    files=("future.py",),
    goal="Write leaf futures on the poll protocol: ready, yield-once, countdown, a flag set "
    "from outside, and a lazy I/O request.",
    hints=(
        Hint(
            id="ready_future",
            title="ReadyFuture: done on the first poll",
            symptom="`ReadyFuture(value)` did not return `Ready(value)` on its first poll.",
            why="The simplest future has nothing to wait for: its first poll finishes it. "
            "`Ready(None)` is a finished future whose value is `None`, not `Pending`.",
            check="What does your `poll` return the first time? Is it a `Ready` holding the "
            "exact value given to the constructor?",
            pointer="Read `ReadyFuture.__init__` and `ReadyFuture.poll` side by side: under "
            "which attribute does the constructor keep `value`, and is it that very attribute "
            "the first poll reads? If the message shows `Ready(Ready(...))` or another value, "
            "look at what you put inside `Ready`.",
            rust="`std::future::ready(value)`: `poll` returns `Poll::Ready(value)` at once.",
            slide="Poll: Ready or Pending",
        ),
        Hint(
            id="poll_after_ready",
            title="Polling after Ready is not detected",
            symptom="A future that had already returned `Ready` was polled again and answered "
            "as if nothing was wrong.",
            why="After `Ready` the value has been handed out; a second poll is a bug in the "
            "caller. Rust's futures panic so the bug is found at once instead of giving a "
            "wrong value twice.",
            check="Does your future remember that it finished? What should a poll do when it has "
            "(hint: the core has an exception for exactly this)?",
            pointer="The first lines of `poll` in the class the failing test names "
            "(ReadyFuture, YieldNow, Countdown, FlagFuture or Request), before anything else "
            "runs: which attribute, set up in `__init__`, tells them that `Ready` was already "
            "handed out? If the message says another exception was raised, the second poll ran "
            "on into code that used something the first poll had removed.",
            rust='`async fn` futures panic: "`async fn` resumed after completion".',
            slide="After Ready",
        ),
        Hint(
            id="yield_now",
            title="YieldNow: Pending once, and ask to be polled again",
            symptom="`YieldNow` did not return Pending once (with its waker woken) and then Ready.",
            why="A future that returns Pending must arrange to be woken. `YieldNow` has nothing "
            "to wait for, so it wakes its own waker right away: the executor polls it again "
            "after giving other tasks a turn.",
            check="On the first poll, who will ever call `wake()` for this future, if not the "
            "future itself? And what must the second poll return?",
            pointer="`YieldNow.poll`, on the branch the very first poll takes: list what runs "
            "between entering it and `return Pending`. Then, for the test whose task polls "
            "again inside `wake()`: at the moment `wake()` is called, has the attribute that "
            "tells the first poll from the second already changed?",
            rust="`tokio::task::yield_now()`: `cx.waker().wake_by_ref(); return Poll::Pending;`",
            slide="Pending means: I arranged a wake",
        ),
        Hint(
            id="countdown",
            title="Countdown: exactly N Pending polls, then Ready",
            symptom="`Countdown(n)` did not return Pending exactly n times (waking itself each "
            "time) before returning Ready.",
            why="A future is a state machine: its state (here, how many polls are left) lives in "
            "the object between polls, and each poll moves it one step.",
            check="Where do you store the count? Is it decremented once per poll, and is "
            "`Countdown(0)` ready on its first poll?",
            pointer="`Countdown.__init__`: is the count kept on `self`, or on the class "
            "(`Countdown.something`), which every Countdown shares? Then, in `poll`, trace the "
            "comparison that decides Ready for n=0 and n=1, and on the Pending path see "
            "whether the count changes before or after the `wake()`.",
            rust="A struct field updated in `poll(self: Pin<&mut Self>, ..)`.",
            slide="Pending means: I arranged a wake",
        ),
        Hint(
            id="flag",
            title="Flag: Ready once set, Pending until then",
            symptom="The flag's future did not finish after `set()`, or was not ready when the "
            "flag was already set before its first poll.",
            why="A future that waits for the outside world checks the shared state on every "
            "poll: if the event already happened, it is Ready now.",
            check="Does `poll` look at the shared state first? Does `set()` record that the flag "
            "is set before anything else?",
            pointer="`Flag.set()` and `FlagFuture.poll()` share one state, reached from the "
            "future through `self._flag`. Read `set()` to its end on the path where a future "
            "is already waiting: is that future's waker reached, and woken? And does "
            "`Flag.__init__` put the state on `self`, so that two flags keep apart?",
            rust="A oneshot-like signal: `Arc<Mutex<State>>` shared by the setter and the future.",
            slide="Waiting for the outside world",
        ),
        Hint(
            id="lost_waker",
            title="Lost waker: Pending without keeping the waker",
            symptom="The future returned Pending, but nothing kept the waker it was given. "
            "Nobody can ever wake this task: it sleeps forever.",
            why='Returning Pending is a promise: "I arranged for `cx.waker` to be woken when I '
            'can make progress". The executor will not poll again until that wake.',
            check="Before returning Pending, where do you store `cx.waker` so that whoever "
            "completes the event can call `wake()` on it?",
            pointer="The message names the future: go to its `poll` and look at each `return "
            "Pending` (YieldNow has no one else to wake it, FlagFuture and Request have). For "
            "FlagFuture, compare the attribute your poll writes the waker to with the one "
            "`Flag.set()` reads it from: are they the same, on the same object?",
            rust="`self.waker = Some(cx.waker().clone()); return Poll::Pending;`-style "
            'bookkeeping; forgetting it is the classic "future never completes" bug.',
            slide="Pending means: I arranged a wake",
        ),
        Hint(
            id="stale_waker",
            title="Stale waker: only the first waker is kept",
            symptom="The future was polled twice with two different wakers; when the event "
            "happened, the waker from the latest poll was not woken.",
            why="A task can move (to another executor, another thread, or inside a `select`), "
            "and each poll may bring a different waker. Only the most recent one is sure to "
            "reach the task that is waiting now.",
            check="Follow the waker of the *second* poll: where does it go? When `set()` or the "
            "device runs, which waker does it find?",
            pointer="Look at the line that stores the waker in `FlagFuture.poll` and in "
            "`Request.poll`: is there a condition in front of it (`if ... is None`, `or`), or "
            "does only the poll that submits reach it? In `Request`, also look at what you "
            "pass to `submit()` as `on_done`: a closure that captured `cx.waker` in a local "
            "variable sees the first poll only.",
            rust="`Waker::will_wake` exists for exactly this: Rust futures compare the waker they "
            "stored with `cx.waker()` on every poll, because the task may have moved.",
            slide="Only the latest waker counts",
        ),
        Hint(
            id="busy_loop",
            title="Busy loop: the future wakes itself on every poll",
            symptom="While waiting for an event that had not happened, the future woke its own "
            "waker, so the executor would poll it again and again.",
            why='Waking yourself means "poll me again right away". Doing it while waiting for '
            "something external turns the executor into a spinning loop that burns a CPU "
            "core until the event arrives.",
            check="Who calls `wake()` in your code, and when? Only the thing that makes progress "
            "possible (here, `set()` or the completion) should wake the waiter.",
            pointer="YieldNow and Countdown wake themselves on purpose; FlagFuture and Request "
            "wait for someone else. Search for `wake(` in those last two `poll` methods, "
            "including branches only a later poll takes (after submitting, once a waker is "
            "already stored).",
            rust="Calling `cx.waker().wake_by_ref()` before every `Poll::Pending`.",
            slide="Only the latest waker counts",
        ),
        Hint(
            id="repeated_side_effect",
            title="Side effect repeated on a spurious poll",
            symptom="Polling again without any progress repeated something that must happen "
            "only once (an operation was submitted again, or the future registered "
            "itself again).",
            why="Executors may poll a future when nothing changed (a spurious poll): after a "
            "wake meant for another future in the same task, for instance. A poll must be "
            "safe to repeat: it may only check state and update the waker.",
            check="What does your `poll` do that is not idempotent? Keep a state that records "
            "that the work was started, and start it only in the state before that.",
            pointer="In `Request.poll`, the line that calls `self._device.submit(...)`: what "
            "condition guards it, and what does that condition see on the third poll? In "
            "`FlagFuture.poll`, does a waiting poll add to something that grows with every "
            "poll, a list of wakers for instance?",
            rust="Futures are lazy state machines: `match self.state { NotStarted => start, "
            "Started => check }`.",
            slide="Spurious polls and laziness",
        ),
        Hint(
            id="not_lazy",
            title="Work started before the first poll",
            symptom="Creating the future already did its work (the request reached the device) "
            "before anyone polled it.",
            why="Rust futures are lazy: building one only stores its inputs, and nothing runs "
            "until an executor polls it. Code may create a future and never poll it (a "
            "`select` that picked another branch, a cancelled task): it must then have done "
            "nothing.",
            check="What does your `__init__` do besides storing its arguments? Which poll is "
            "the right moment to start the work?",
            pointer="`Request.__init__`: look for any call on `device` there, or on a method "
            "of yours that calls it. The test builds a Request, never polls it, and counts "
            "what the device received.",
            rust="`async fn` bodies do not run until the first `.await`/poll; a hand-written "
            "future starts its I/O in `poll`, in its `NotStarted` state.",
            slide="Spurious polls and laziness",
        ),
        Hint(
            id="falsy_value",
            title="A falsy value taken for \"no value yet\"",
            symptom="With a value Python treats as false (`None`, `0`, `\"\"`, `[]`), the "
            "future behaved as if it had no value: it stayed Pending, or claimed it had "
            "already finished.",
            why="`if x:` asks \"is x truthy?\", not \"has it happened?\". An empty answer is still "
            "an answer, and `None` may be the value itself. Whether the future is done is "
            "state of its own, kept apart from the value.",
            check="Find each `if` that decides Pending or Ready, or done or not: does it test "
            "the value itself, like `if value:` or `if value is None:`? What would it do "
            "with `\"\"`, `0` or `None`?",
            pointer="Two places to look. In `ReadyFuture.poll`, with `None` as the value: does "
            "your \"already handed out\" test fire on the very first poll? In `Request`, with "
            "an answer of `\"\"`: the test in `poll` that decides the device has answered, and "
            "any `if` in the completion callback that guards the wake.",
            rust="Rust has no truthiness: the result is an `Option<T>`, and `Some(String::new())` "
            "is `Some`, so `if let Some(v) = self.result.take()` cannot confuse the two.",
            slide="A value is not a state",
        ),
        Hint(
            id="wake_before_state",
            title="Woken before the state was ready",
            symptom="The waker was woken and the task polled at once, inside `wake()`, but that "
            "poll did not see the event yet (it returned Pending), and nothing woke the task "
            "again.",
            why="A wake says \"poll me now, there is progress\". The woken task may be polled "
            "immediately: inside `wake()` itself, or on another thread before your next line "
            "runs. Everything that poll must see has to be in place before `wake()` is called.",
            check="In the code that wakes (`set()`, the completion callback), what happens "
            "after the `wake()` call? Would a poll run at the moment of `wake()` see it?",
            pointer="Number the steps of `Flag.set()`, and of the method you gave "
            "`device.submit()` as `on_done`. Which step writes what `FlagFuture.poll` or "
            "`Request.poll` reads, and which number is the `wake()`?",
            rust="tokio's oneshot `send` writes the value, then marks it sent "
            "(`set_complete`), and only then calls `wake_by_ref()` on the receiver's waker; "
            "the other order is a lost wakeup.",
            slide="State first, then wake",
        ),
        Hint(
            id="wake_under_lock",
            title="Woken while holding the lock",
            symptom="`wake()` was called while your code still held its lock; the woken task's "
            "poll needs that same lock, so it could not run until your code returned.",
            why="A waker may run anything. Some executors hand the woken task to a worker "
            "thread and wait for it; some poll it right away. Either way the poll asks for "
            "your lock while your code, holding it, waits for the waker: a deadlock. With "
            "a `threading.Lock` an inline poll deadlocks even on one thread.",
            check="Where is your `wake()` call: inside the `with` block of your lock, or after "
            "it? What does the code need from inside the lock, and what can wait?",
            pointer="Besides `Flag.set()`, look at `Request`'s completion callback: does it "
            "take a lock that `poll` takes too? An `RLock` does not help here: the test's "
            "waker polls from another thread, where holding it on your thread counts for "
            "nothing.",
            rust="Rust code takes the waker out under the lock (`state.waker.take()`), drops "
            "the `MutexGuard`, and only then calls `waker.wake()`.",
            slide="Never wake while holding a lock",
        ),
        Hint(
            id="request",
            title="Request: submit on first poll, finish with the device's result",
            symptom="The request did not return the device's result after the operation "
            "completed, or did not wake its task when it completed.",
            why="An I/O future is lazy: the first poll starts the operation and hands the device "
            "a way to report back; the completion stores the result and wakes the latest "
            "waker; the next poll returns it.",
            check="What does your completion callback do, and what does it find when the "
            "device answers at once, inside `submit()`? Where does each Request keep its own "
            "answer?",
            pointer="Trace the poll that submits, with a device that calls `on_done` before "
            "`submit()` has returned: which lines of your callback run in the middle of "
            "`Request.poll`, and does any of them need a lock or an attribute that `poll` "
            "holds or has not set yet? Then the poll after the wake: which attribute does it "
            "read the answer from, and is it the one the callback wrote?",
            rust="How tokio's I/O resources work: a readiness event wakes the stored waker.",
            slide="Spurious polls and laziness",
        ),
    ),
)
