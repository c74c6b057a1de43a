from grader.model import Hint, Stage

STAGE = Stage(
    id="04_mutex",
    title="An async mutex",
    minutes=45,
    files=("mutex.py",),
    goal="Build a fair (FIFO) async mutex like tokio's: lock() futures that wait in line, "
         "ownership handed straight to the next waiter, a guard, and cancellation by drop().",
    hints=(
        Hint(
            id="try_lock",
            title="try_lock(): the guard if free, None if taken",
            symptom="`try_lock()` did not return a guard on a free mutex, returned one while "
                    "the lock was taken, or the mutex stayed locked after the guard was "
                    "released; or a `lock()` future was not Pending while the lock was held.",
            why="A mutex has one owner at a time. Its state must always say whether someone "
                "owns it, so every way in (`try_lock`, the first poll of `lock()`) sees the "
                "same answer.",
            check="What does your mutex store to know it is taken? Does `try_lock()` set it, "
                  "and does releasing the guard clear it when nobody waits?",
            pointer="Read `Mutex.try_lock` and then the branch of `Mutex._release` taken when the "
                    "queue is empty, one after the other: name the field each of them reads or "
                    "writes.",
            rust="`tokio::sync::Mutex::try_lock()` returns `Result<MutexGuard, TryLockError>`.",
            slide="lock() and try_lock()",
        ),
        Hint(
            id="guard",
            title="The guard gives access to the value",
            symptom="A guard's `.value` did not read or write the value the mutex protects, or "
                    "`with await mutex.lock() as guard:` did not release at the end.",
            why="The guard is the only door to the value: whoever holds it may read and write; "
                "what one owner writes, the next owner reads.",
            check="Where does `.value` read from and write to? It must be the mutex's own value, "
                  "not a copy kept in the guard.",
            pointer="`MutexGuard.__init__`, then the `value` property and its setter: follow one "
                    "write through the setter and ask which object's field has changed at the "
                    "end.",
            rust="`MutexGuard<T>` implements `Deref<Target = T>` and `DerefMut`: `*guard += 1`.",
            slide="The guard",
        ),
        Hint(
            id="falsy_value",
            title="A falsy value is still a value",
            symptom="A mutex protecting `None`, `0`, `\"\"`, `[]` or `False` behaved differently "
                    "from one protecting a truthy value: it looked locked, a guard refused to "
                    "read it, or a write of it was lost.",
            why="The protected value is data, never a flag. The state of the lock (free, "
                "taken, released) lives in its own fields; testing the value with `if value:` "
                "or `is None` mixes the two, and breaks for exactly the values the checks treat "
                "as empty.",
            check="Where does your code look at the protected value other than to return or "
                  "store it? Does any `if` test it (or use `None` as a marker next to it)?",
            pointer="Go through every line of mutex.py that mentions the protected value "
                    "(`Mutex.__init__`, `try_lock`, the `value` property and setter) and look for "
                    "an `if`, `or`, `not` or `is None` near it.",
            rust="`Mutex<Option<T>>` and `Mutex<i32>` behave the same whatever the value: the "
                 "lock state is separate from `T`, and `if` never looks at `T`.",
            slide="Any value, even a falsy one",
        ),
        Hint(
            id="lock_free",
            title="lock() on a free mutex: Ready at once",
            symptom="The first poll of `lock()` on a mutex nobody holds did not return "
                    "`Ready(guard)`, or did not actually take the lock.",
            why="When nobody holds or waits for the lock, there is nothing to wait for: the "
                "first poll takes the lock and finishes, exactly like `try_lock()`.",
            check="In the first poll, do you try to take the lock before anything else, and "
                  "return `Ready` with a guard when that works?",
            pointer="`LockFuture.poll`, on the branch the very first poll takes when nobody holds "
                    "the mutex: what does it return, and has the mutex changed by the time it "
                    "returns?",
            rust="The fast path of tokio's `lock()`: the semaphore's `try_acquire` succeeds.",
            slide="lock() and try_lock()",
        ),
        Hint(
            id="lazy",
            title="lock() does nothing before its first poll",
            symptom="Calling `lock()` (without polling its future) changed the mutex, or "
                    "dropping a never-polled lock future did.",
            why="Futures are lazy: creating one is free, and a future that was never polled "
                "holds nothing. The place in line is taken at the first poll.",
            check="Does `lock()` (or the future's constructor) touch the mutex's state? Only "
                  "`poll` should.",
            pointer="`Mutex.lock` and `LockFuture.__init__`: mark every line of both that writes "
                    "to the mutex (its flag, its queue) rather than to the new future.",
            rust="`async fn lock(&self)` runs no code until it is first polled.",
            slide="lock() and try_lock()",
        ),
        Hint(
            id="lost_waker",
            title="Lost waker: Pending without keeping the waker",
            symptom="A `lock()` future returned Pending, but nothing kept the waker it was "
                    "given: nobody can ever wake that task.",
            why="Pending is a promise to wake the task later. A waiter in the queue must carry "
                "its waker, so that the release that makes it the owner can wake it.",
            check="When the first poll queues the future, where is `cx.waker` stored?",
            pointer="`LockFuture.poll`, on the path that returns Pending the first time: follow "
                    "`cx.waker` from there to the object `Mutex._release` will later read it "
                    "from.",
            rust="Each node of tokio's wait list holds `Option<Waker>`.",
            slide="Waiting in line",
        ),
        Hint(
            id="handoff",
            title="Release must wake the next waiter",
            symptom="A guard was released while another task waited, but the waiting task was "
                    "not woken, or was woken and still did not get the guard on its next poll.",
            why="A waiting task is only polled again after a wake. Releasing with waiters in "
                "line must make the first waiter the owner and wake it, or it sleeps forever.",
            check="What does your release do when the queue is not empty? Who becomes the owner, "
                  "and whose waker is woken?",
            pointer="`Mutex._release`, on the branch taken when the queue is not empty; then "
                    "`LockFuture.poll` on that waiter's next poll: which branch does it take "
                    "there, and does it reach `Ready`?",
            rust="Dropping a `MutexGuard` releases a permit; tokio's semaphore hands it to the "
                 "first waiter and calls `waker.wake()`.",
            slide="Hand-off on release",
        ),
        Hint(
            id="fifo",
            title="Waiters must get the lock in order",
            symptom="Several tasks waited; on release the lock did not go to the one that had "
                    "waited longest (the earliest first poll).",
            why="A fair mutex serves waiters first come, first served, so no task can starve "
                "behind others that keep arriving.",
            check="Which end of your queue do new waiters join, and which end does release "
                  "take from? Is the order that of first polls?",
            pointer="Put side by side the line of `LockFuture.poll` that adds the future to the "
                    "queue and the line of `Mutex._release` that takes one out, with the `deque` "
                    "method each of them uses.",
            rust="tokio's Mutex is fair: \"the lock is granted in the order of the calls to "
                 "lock\".",
            slide="Waiting in line",
        ),
        Hint(
            id="barging",
            title="Barging: a newcomer jumped the queue",
            symptom="Right after a release, before the woken waiter was polled, a newcomer's "
                    "`try_lock()` or first `lock()` poll got the lock (or both did).",
            why="Between a release and the woken waiter's next poll there is a gap. If the "
                "mutex looks free during it, a newcomer slips in first: the waiter that queued "
                "first is overtaken, again and again under load.",
            check="When the lock is handed to a waiter, does the mutex stay marked as taken "
                  "until that waiter's guard is released? What does `try_lock()` see meanwhile?",
            pointer="`Mutex.try_lock`, read at the instant just after `_release` picked a waiter "
                    "and before that waiter is polled: which field does it test, and what value "
                    "does that field hold at that instant?",
            rust="tokio hands the permit to the waiter directly, so the semaphore never shows it "
                 "as available in between.",
            slide="No barging",
        ),
        Hint(
            id="stale_waker",
            title="Stale waker in the queue",
            symptom="A waiting `lock()` was polled again with a new waker; when it became the "
                    "owner, the waker of the latest poll was not the one woken.",
            why="A waiting task may be polled again (a spurious wake, or it moved inside a "
                "`select`); each poll may bring a different waker, and only the latest one is "
                "sure to reach the task.",
            check="On a poll while already in line, do you replace the waker stored for this "
                  "waiter?",
            pointer="`LockFuture.poll`, the branch taken on the second poll of a future that is "
                    "already in the queue: which line of that branch touches the stored waker?",
            rust="tokio's `Acquire::poll` updates the waker in its wait-list node if "
                 "`!waker.will_wake(cx.waker())`.",
            slide="Waiting in line",
        ),
        Hint(
            id="requeued_on_repoll",
            title="A spurious poll joined the queue again",
            symptom="A waiting `lock()` future polled several times took several places in line; "
                    "later the lock went to one of its old places and the mutex got stuck.",
            why="A spurious poll must change nothing but the stored waker. Queuing again gives "
                "one waiter several places; each extra place is later handed a lock nobody "
                "takes.",
            check="Does your poll know that the future is already in line, and only refresh "
                  "its waker in that case?",
            pointer="The top of `LockFuture.poll`: which field tells a first poll from a later "
                    "one, and which branch does a second poll of a waiting future fall into?",
            rust="The future keeps a `queued` state; the wait-list node is linked once.",
            slide="Waiting in line",
        ),
        Hint(
            id="cancelled_waiter_left",
            title="A cancelled waiter stayed in the queue",
            symptom="A waiting `lock()` future was dropped; a later release handed the lock to "
                    "it, the task behind it was never woken, and the mutex stayed locked forever.",
            why="`drop()` means the future will never be polled again. If it stays in line, "
                "the release that reaches it gives the lock to nobody: a deadlock.",
            check="What does your `drop()` do for a future that is still waiting?",
            pointer="`LockFuture.drop`, on the path of a future that sits in the queue and was "
                    "not handed the lock: does any line on that path change the queue?",
            rust="`impl Drop for Acquire`: unlink the node from the wait list.",
            slide="Cancellation is drop",
        ),
        Hint(
            id="cancel_released",
            title="Cancelling a waiter gave the lock away",
            symptom="A waiting `lock()` future was dropped while someone else held the lock, "
                    "and the lock went to the next waiter (or was freed) although its owner "
                    "had not released it: two owners.",
            why="A waiter that is cancelled never owned the lock, so it has nothing to give "
                "up: it only leaves the line. Only the owner's release (or a waiter that was "
                "already handed the lock) may pass the lock on.",
            check="In `drop()`, what does a future that is still waiting do besides leaving "
                  "the queue? Does it call your release, or touch the locked flag?",
            pointer="Trace `LockFuture.drop` for a future that is still waiting, next to the path "
                    "for one that was already handed the lock: do the two paths share lines that "
                    "only the second should run?",
            rust="Dropping a queued `Acquire` unlinks its node and returns only the permits it "
                 "had already been assigned: none, while it waits.",
            slide="Cancellation is drop",
        ),
        Hint(
            id="cancel_wrong_waiter",
            title="Cancelling a waiter removed someone else",
            symptom="One waiter in the middle of the line was cancelled, and another waiter "
                    "(before or after it) lost its place.",
            why="Cancelling is personal: the cancelled waiter leaves the line, everyone else "
                "keeps their place and their order.",
            check="When a waiting future is dropped, which entry of the queue do you remove? "
                  "Is it always that future's own entry?",
            pointer="The line of `LockFuture.drop` that takes an entry out of the queue: how does "
                    "it find that entry, and would it find the same one with three waiters and "
                    "the middle one dropped?",
            rust="tokio's wait list is intrusive: a node unlinks itself, by identity.",
            slide="Cancellation is drop",
        ),
        Hint(
            id="notified_then_dropped",
            title="Handed the lock, then dropped: the lock was swallowed",
            symptom="A release handed the lock to a waiter; that waiter's `lock()` future was "
                    "dropped before it was polled again, and the lock never reached the next "
                    "waiter (or the mutex stayed locked).",
            why="After a hand-off the waiter owns the lock even though it has not polled yet. "
                "If it is cancelled in that window, nobody else will ever release that lock, "
                "so its `drop()` must pass it on.",
            check="In `drop()`, can you tell a future that is still waiting from one that was "
                  "already handed the lock? What must the second one do?",
            pointer="`Mutex._release` and `LockFuture.drop` together: once `_release` picked this "
                    "future, what state does the future carry, and which branch of `drop()` "
                    "handles that state?",
            rust="tokio's `Acquire` drop returns the permits it was already assigned "
                 "(`release(acquired)`); asyncio's Lock does the same when a woken waiter is "
                 "cancelled.",
            slide="Handed the lock, then dropped",
        ),
        Hint(
            id="passed_on_twice",
            title="A dropped hand-off passed the lock on twice",
            symptom="A waiter handed the lock was dropped before its poll; its `drop()` passed "
                    "the lock on, and then the lock was given (or freed) again: two owners.",
            why="A hand-off gives the dropped waiter exactly one lock, so its `drop()` gives up "
                "exactly one: the next waiter becomes the owner, and that is all. A second "
                "release (or an unlock as well as a hand-off) lets another task in too.",
            check="Follow `drop()` of a future that was handed the lock: how many times does it "
                  "release, hand on, or unlock? Does anything else run a release for it later?",
            pointer="The branch of `LockFuture.drop` for a future already handed the lock: count "
                    "the lines there that change the mutex (its flag, its queue, a call to "
                    "`_release`), including what `_release` itself does.",
            rust="tokio's `Acquire` drop returns exactly the permits it was assigned; the type "
                 "system makes the permit a value that moves once.",
            slide="Handed the lock, then dropped",
        ),
        Hint(
            id="double_release",
            title="Dropping a finished lock future released the lock",
            symptom="A `lock()` future returned its guard; dropping that finished future then "
                    "released the lock while the guard was still alive: two owners.",
            why="Once `poll` returned the guard, the guard owns the lock and only its release "
                "may give the lock up. Executors may drop finished futures (stage 06 does), so "
                "the future must forget the lock when it hands out the guard.",
            check="What state is the future in after it returned `Ready(guard)`, on every path "
                  "to Ready? What does `drop()` do in that state?",
            pointer="Each `return Ready(...)` in `LockFuture.poll` (the free-lock path and the "
                    "handed-the-lock path): what state does each leave behind, and which branch "
                    "of `LockFuture.drop` would that state take?",
            rust="In Rust the `Acquire` future's permit moves into the `MutexGuard`; dropping "
                 "the completed future has nothing left to release.",
            slide="After Ready, the guard owns the lock",
        ),
        Hint(
            id="guard_reuse",
            title="A guard was released twice",
            symptom="A guard released a second time (or used after release) did not raise "
                    "RuntimeError; it may have freed the lock of the next owner.",
            why="Rust's move checker makes a second `drop(guard)` impossible. Python cannot stop "
                "the call, so the guard must remember it was released and refuse.",
            check="Does your guard record that it was released? What do `release()` and "
                  "`.value` do after that?",
            pointer="`MutexGuard.release` and the `value` property and setter, on their second "
                    "call: what runs, line by line, before anything reaches `Mutex._release` or "
                    "the value?",
            rust="`drop(guard); drop(guard);` is error E0382: use of moved value.",
            slide="The guard",
        ),
        Hint(
            id="wake_inconsistent",
            title="Woken before the state said so",
            symptom="A waiter's waker was woken during a release, and the task, polled right "
                    "inside that `wake()`, was not the owner yet: its `lock()` returned Pending "
                    "and it was never woken again.",
            why="`wake()` may run the task at once (another thread, an inline executor). Any "
                "state the woken task needs must be in place before the wake: waking is the "
                "last thing a release does.",
            check="In your release, list what changes after the `wake()` call. A waker may poll "
                  "its task right there: what would that task see of the mutex at that moment?",
            pointer="`Mutex._release` on the waiter branch, then `LockFuture.poll` as if it ran "
                    "inside that `wake()`: which branch does the poll take, with the future's "
                    "state and the queue as they are at that instant?",
            rust="tokio collects wakers in a `WakeList` and wakes them after updating state and "
                 "unlocking its internal lock.",
            slide="Wake last",
        ),
        Hint(
            id="poll_after_ready",
            title="Polling a finished lock() future is not detected",
            symptom="A `lock()` future that had returned its guard was polled again and did not "
                    "raise `PolledAfterCompletion`.",
            why="After `Ready` the guard has been handed out; a second poll is a bug in the "
                "caller and must be loud, not queue for a second lock.",
            check="Does your future remember it finished, and raise `PolledAfterCompletion` "
                  "when polled again?",
            pointer="Follow `LockFuture.poll` once more after it returned Ready, with the state "
                    "that return left: which branch runs, and does it get as far as the code that "
                    "tries to take the lock?",
            rust="`async fn` futures panic: \"`async fn` resumed after completion\".",
            slide="After Ready, the guard owns the lock",
        ),
        Hint(
            id="async_with",
            title="async with: lock, then release however the block ends",
            symptom="`async with mutex.lock() as guard:` did not hold the lock for the whole "
                    "block, did not release it at the end, or a task cancelled inside or before "
                    "the block left the mutex locked.",
            why="`async with` awaits your `lock()` future and releases the guard at the end; "
                "cancelling the task drops the future it awaits. So it works when poll, "
                "release and drop do.",
            check="The `__aenter__`/`__aexit__` glue is given. If the other tests pass, look at "
                  "how your guard's release and your future's drop behave when called from "
                  "there.",
            pointer="`MutexGuard.release` as the given `__aexit__` calls it, and "
                    "`LockFuture.drop` for a task cancelled while `__aenter__` awaits: run each "
                    "by hand in the state the future is in at that moment.",
            rust="`let guard = mutex.lock().await;` released by scope end, also when the task "
                 "is aborted (the future is dropped).",
            slide="async with",
        ),
        Hint(
            id="random_schedule",
            title="A random schedule broke the mutex",
            symptom="Tasks doing lock, poll, release, cancel and try_lock in a random order did "
                    "something a fair FIFO mutex would not (the message lists the steps).",
            why="The earlier tests each check one situation; this one compares your mutex to a "
                "simple model (an owner and a FIFO line) over many short schedules, and shows "
                "the shortest failing one.",
            check="Replay the listed steps by hand on paper: owner, line, who was woken. Then "
                  "follow the same steps through your code.",
            pointer="Find the first step of the listed schedule where your mutex and the model "
                    "disagree, then read the method that step calls (`try_lock`, "
                    "`LockFuture.poll`, `MutexGuard.release` or `LockFuture.drop`) in the state "
                    "the earlier steps left.",
            rust="The same idea as `loom` or `proptest` state-machine tests for tokio's sync "
                 "primitives.",
            slide="Random schedules",
        ),
    ),
)
