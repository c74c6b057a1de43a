from grader.model import Hint, Stage

STAGE = Stage(
    id="05_pollster",
    title="A pollster executor",
    minutes=30,
    files=("pollster.py",),
    goal="Write `block_on`: poll a future on the current thread, sleeping on a Signal "
         "(a flag and a condition variable) until its waker is woken.",
    hints=(
        Hint(
            id="block_on_ready",
            title="block_on: poll, and return the value",
            symptom="`block_on` on a future that is Ready at once (or on a coroutine) did not "
                    "return its value after exactly one poll.",
            why="An executor's whole job starts with one poll. A future that is Ready needs no "
                "waker and no sleeping: its value is the result, whatever it is (`None` and `0` "
                "too). A coroutine is turned into a future first, like Rust's `IntoFuture`.",
            check="Do you call `into_future` on the argument? After a poll, do you tell "
                  "`Ready(value)` from `Pending` (with `match`, not truthiness) and return the "
                  "value inside the Ready?",
            pointer="Read `block_on` from its first line to its first `poll`: when the argument is "
                    "an `async def` coroutine, which object receives that `poll`? Then follow the "
                    "branch taken when that first poll gives `Ready(None)` or `Ready(0)`, down to "
                    "the value your function hands back.",
            rust="`match fut.as_mut().poll(&mut cx) { Poll::Ready(v) => return v, .. }`",
            slide="block_on: the smallest executor",
        ),
        Hint(
            id="panic",
            title="An exception from poll must reach the caller",
            symptom="The future's `poll` raised, and `block_on` did not raise that same "
                    "exception.",
            why="An exception inside `poll` is Rust's panic unwinding through `poll`: "
                "`block_on` has no way to finish the future, so the error goes to whoever "
                "called `block_on`, unchanged.",
            check="Is there a `try`/`except` around the poll that swallows or replaces the "
                  "exception? Cleanup belongs in `finally`, not in `except`.",
            pointer="Follow `block_on` along the path that starts when `poll` raises (on the first "
                    "poll, or on the third after two Pendings) and ends where the exception leaves "
                    "the function. Which lines on that path catch it, wrap it in another "
                    "exception, or return instead?",
            rust="A panic in `poll` unwinds out of `pollster::block_on` into its caller.",
            slide="block_on: the smallest executor",
        ),
        Hint(
            id="guard_reset",
            title="The \"inside block_on\" flag stays set after an exception",
            symptom="After a `block_on` call ended with an exception, the next `block_on` on "
                    "the same thread raised `NestedBlockOn`, although nothing was running.",
            why="The flag that detects nesting must be cleared however `block_on` ends: by "
                "returning or by an exception unwinding through it. Otherwise one failed call "
                "poisons the thread for good.",
            check="Where do you clear the flag? Is that code reached when `poll` raises?",
            pointer="Put your finger on the line of `block_on` that sets the \"inside block_on\" "
                    "flag, then follow the path taken when the future's first `poll` raises, up to "
                    "the moment the exception leaves `block_on`. Which of your lines does that "
                    "path skip?",
            rust="An RAII guard (`struct Enter; impl Drop for Enter`) resets the thread-local "
                 "in `drop`, which runs during unwinding too.",
            slide="Nested block_on",
        ),
        Hint(
            id="park_and_wake",
            title="Park while Pending, resume on a wake",
            symptom="A future that was Pending and then woken from another thread did not "
                    "complete under `block_on`, or `block_on` did not park on its Signal.",
            why="While the future is Pending, the thread has nothing to do: it sleeps on the "
                "Signal. The future's waker must be that Signal, so a `wake()` from any thread "
                "records the wake where the thread sleeps and lets it poll again.",
            check="Follow one wake from the other thread: which waker did the future get in its "
                  "Context, what does calling it change, and what is your thread doing at that "
                  "moment? The tests watch for the park in `self.cond`.",
            pointer="Look at three places together: the `Context(...)` built in `block_on` (around "
                    "which object, and how many Signals one call creates), the branch of your loop "
                    "after a `Pending` poll, and the body of `Signal.wait`. The test's helper "
                    "thread calls `wake()` only once your thread sleeps in `cond.wait()`, so a "
                    "thread asleep anywhere else is never woken.",
            rust="`let waker = Waker::from(signal.clone()); let mut cx = "
                 "Context::from_waker(&waker); loop { match poll { Pending => signal.wait(), .. } }`",
            slide="Parking the thread",
        ),
        Hint(
            id="busy_loop",
            title="Busy loop: polling again without a wake",
            symptom="`block_on` polled a Pending future again before anything had woken it.",
            why="Pending means \"I will wake you when I can make progress\". Polling before that "
                "wake achieves nothing and turns the executor into a spinning loop that burns a "
                "CPU core for as long as the future waits.",
            check="What happens in your loop after a Pending poll? The thread must sleep until "
                  "the waker is woken before it polls again. And when `wait` returns, is the "
                  "wake consumed, so that the next `wait` sleeps again?",
            pointer="Read, line by line, what your loop does between a `Pending` poll and the next "
                    "`poll`; then read the last lines of `Signal.wait`: what is `notified` at the "
                    "moment `wait` returns? The test wakes the future once and expects exactly two "
                    "polls.",
            rust="`loop { if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) { return v } }` "
                 "without `thread::park()` / `signal.wait()` spins.",
            slide="Parking the thread",
        ),
        Hint(
            id="lost_wakeup",
            title="Lost wakeup between Pending and park",
            symptom="The future was woken during its poll (or by another thread just before "
                    "`block_on`'s thread went to sleep), and the thread slept forever anyway.",
            why="A wake can come at any moment: inside `poll` (like `yield_now`), or from "
                "another thread between \"poll returned Pending\" and \"the thread sleeps\". "
                "The Signal must remember it, and the check \"was I woken?\" and the sleep must "
                "happen under the same lock, so no wake slips in between.",
            check="Does `wait` ever forget a wake it has not consumed? Do you read `notified` "
                  "and call `cond.wait()` inside one `with self.cond:` block?",
            pointer="Replay `Signal.wait` for two moments: a wake that came during `poll`, so "
                    "`notified` is already True when `wait` starts, and a wake that lands after "
                    "`poll` returned but before your thread holds `self.cond`'s lock. In each "
                    "case, which line first reads the flag, and can anything in `block_on` or "
                    "`wait` reset it before that?",
            rust="`thread::park` keeps an unpark token for exactly this reason; a condvar needs "
                 "its flag checked under the mutex it waits with.",
            slide="The Signal: a flag and a condvar",
        ),
        Hint(
            id="spurious_wakeup",
            title="A spurious wakeup taken for a wake",
            symptom="The sleeping thread was notified with no wake behind it, and `block_on` "
                    "polled the future again as if it had been woken.",
            why="A condition variable may return from `wait()` without anyone calling `wake()` "
                "(POSIX allows it, and any notify of the same condition causes it). Only the "
                "flag says whether a wake happened; after a spurious return the thread must go "
                "back to sleep.",
            check="After `cond.wait()` returns, do you check `notified` again before leaving "
                  "`wait`? An `if` checks once; what checks until it is true?",
            pointer="Look at the lines of `Signal.wait` that run right after `self.cond.wait()` "
                    "returns, in the case the test creates: the condition is notified while "
                    "`notified` is still False, and a real `wake()` comes only later. Where does "
                    "your code go next in that case?",
            rust="`while !*woken { woken = cond.wait(woken).unwrap(); }` (or "
                 "`Condvar::wait_while`); `thread::park` may also return spuriously.",
            slide="Spurious wakeups",
        ),
        Hint(
            id="wake_under_lock",
            title="A lock held while the future is polled",
            symptom="Another thread called the waker while `block_on`'s future was being "
                    "polled (or just before the park), and its `wake()` did not return: it "
                    "waited for a lock that `block_on`'s thread was holding.",
            why="`wake()` takes the Signal's lock, from any thread, at any time. If "
                "`block_on` holds that lock while it polls, every wake from another thread "
                "stalls until the poll ends, and a future that waits for the waking thread "
                "(or takes a lock that thread holds while it wakes) deadlocks. A lock guards "
                "a few lines of state; code you do not control (a poll, a wake) never runs "
                "under it.",
            check="List every place your code holds `self.cond`'s lock, and what runs inside: "
                  "is it only reading or writing `notified`, notifying, and `cond.wait()`? Is "
                  "`poll` called with the lock released?",
            pointer="Search your file for every use of `cond` (in `block_on` too, not just in the "
                    "Signal's methods) and for any lock you added yourself. The test's helper "
                    "thread calls `wake()` in the middle of a `poll`, and again right after a "
                    "Pending before your thread parks, and it waits for that `wake()` to return.",
            rust="pollster locks its `Mutex<bool>` only inside `wait` and `wake`; a "
                 "`MutexGuard` held across `poll` (or across `wake`) is the classic deadlock.",
            slide="Never hold the lock across a poll",
        ),
        Hint(
            id="late_wake",
            title="A late wake is not harmless",
            symptom="Waking the waker of a `block_on` call that had already returned raised an "
                    "exception, or disturbed the next `block_on` on that thread.",
            why="A waker can outlive its executor: a timer or another thread may still hold it "
                "and wake it later. That wake must do nothing harmful: no exception, and no "
                "effect on a later, unrelated call.",
            check="Does each `block_on` call get its own fresh Signal? Does anything tear the "
                  "Signal down or make `wake()` fail once the call is over?",
            pointer="Look at the line that creates the Signal (inside `block_on`, or once per "
                    "module or thread?) and at everything `block_on` does to it after the last "
                    "`poll`. The test keeps the first call's waker, calls `wake()` on it from the "
                    "same thread and from another, then runs a second `block_on` and counts that "
                    "call's polls.",
            rust="pollster allocates a new `Arc<Signal>` per call; a late `wake` just sets the "
                 "flag of a Signal nobody waits on, and the last `Arc` frees it.",
            slide="Late wakes and what a waker owns",
        ),
        Hint(
            id="waker_leak",
            title="The waker keeps the runtime alive",
            symptom="After `block_on` returned, a waker that someone still held kept the "
                    "finished future alive, or `block_on` kept its Signal after returning.",
            why="Wakers get stored in many places (timers, channels, reactors) and may live far "
                "longer than the call. A waker should own only what it needs to wake: the "
                "Signal. Anything else it references (the future and all it owns) leaks for as "
                "long as the waker lives.",
            check="What does your Signal reference? Does `block_on` store the Signal or the "
                  "future anywhere that outlives the call (a global, a thread-local)?",
            pointer="List every attribute your Signal carries besides `cond` and `notified`, and "
                    "every global or `threading.local` attribute `block_on` writes: what does each "
                    "still point to after `block_on` returns? The test holds only the waker, on a "
                    "thread that stays alive, and checks that the future was freed.",
            rust="pollster's waker is an `Arc<Signal>` and the future lives on `block_on`'s "
                 "stack: a leaked waker leaks one small Signal, never the future.",
            slide="Late wakes and what a waker owns",
        ),
        Hint(
            id="nested_block_on",
            title="Nested block_on is not refused",
            symptom="A future being polled by `block_on` called `block_on` on the same thread, "
                    "and did not get `NestedBlockOn`.",
            why="The inner call would park the only thread that can poll the outer future: if "
                "the inner future waits for the outer one, nothing ever runs again. Refusing "
                "nesting with a clear error turns a silent deadlock into a message.",
            check="How does `block_on` know that this thread is already inside `block_on`? Is "
                  "that flag set for the whole outer call, and left alone when an inner call "
                  "is refused?",
            pointer="Look at the first lines of `block_on`, in order: where is the per-thread flag "
                    "read, where is it set, and what does the refused inner call do to it on its "
                    "way out? The test nests twice inside one outer call, then calls `block_on` "
                    "again once the outer call has returned.",
            rust="Tokio panics with \"Cannot start a runtime from within a runtime\", tracked in "
                 "a `thread_local!`.",
            slide="Nested block_on",
        ),
        Hint(
            id="guard_per_thread",
            title="The nesting flag must be per thread",
            symptom="While one thread was inside `block_on`, another thread's `block_on` raised "
                    "`NestedBlockOn`.",
            why="Nesting is about one thread parking itself while it is needed. Two threads "
                "each running their own `block_on` is fine, so the \"inside block_on\" flag "
                "belongs to the thread, not to the process.",
            check="Where does your flag live: a module global, a class attribute, or a "
                  "`threading.local()`? Where does assigning to it store the value?",
            pointer="Read the line in `block_on` that sets the flag, only the part left of the "
                    "`=`: is the object named there one per thread or one for the whole process? "
                    "In the test, thread A is parked inside `block_on` (its future is Pending) "
                    "when thread B calls `block_on`.",
            rust="`thread_local! { static ENTERED: Cell<bool> }`, not a `static AtomicBool`.",
            slide="Nested block_on",
        ),
    ),
)
