from grader.model import Hint, Stage

STAGE = Stage(
    id="06_spawn",
    title="Spawn: an executor with a run queue",
    minutes=45,
    files=("spawn.py",),
    goal="Build a single-threaded executor: spawn() returns a JoinHandle, each task is its own "
         "waker, a run queue holds each runnable task once.",
    hints=(
        Hint(
            id="spawn",
            title="Spawned tasks run while the root waits",
            symptom="A task spawned by the root did not run (or ran inside spawn() itself), or "
                    "spawn() outside block_on did not raise.",
            why="spawn() only hands a future to the executor: it goes into the run queue, and "
                "block_on polls it after the root returns Pending. Nothing runs inside spawn().",
            check="What does spawn() do with the new task? Does block_on, after polling the "
                  "root, poll the tasks that are in the queue? Can spawn() find the executor "
                  "that is running on this thread?",
            pointer="Start in `Executor.spawn`: what happens to the new Task before the handle is "
                    "returned? Then read the part of `block_on` that runs right after the root's "
                    "poll returns Pending. For the error case, the module-level `spawn()` (given) "
                    "reads `_current.executor`: find the line of `block_on` that gives it its "
                    "value.",
            rust="`tokio::spawn` pushes an `Arc<Task>` to the scheduler's queue and panics with "
                 "no runtime; `Runtime::block_on` drives the root and the queue.",
            slide="Tasks and the run queue",
        ),
        Hint(
            id="join_never_woken",
            title="JoinHandle never woken",
            symptom="The root awaited a JoinHandle, the task finished, but the root was never "
                    "polled again.",
            why="A JoinHandle is a future like any other: when it returns Pending it promises a "
                "wake. The only event that can end its wait is the task finishing, so finishing "
                "must wake the waker the handle stored.",
            check="When JoinHandle.poll returns Pending, where does it keep cx.waker? When the "
                  "task finishes, who calls wake() on it? How does the handle tell that the task "
                  "finished: by its state, or by its output (which may be None, 0 or \"\")?",
            pointer="Follow one task from its last poll: `Task.run` on the Ready branch, into "
                    "`_finish`, and look for a line there that touches `_join_waker`. Then read "
                    "`JoinHandle.poll` for a task whose output is `None` or `0`: which condition "
                    "does it check to decide between Ready and Pending?",
            rust="tokio's JoinHandle registers its waker in the task's header; completing the "
                 "task calls `wake_join()`.",
            slide="JoinHandle: a future for a task's output",
        ),
        Hint(
            id="queue_mutated",
            title="The run queue changed while you walked it",
            symptom="A task spawned or woke another task while the executor was running its "
                    "queue, and the executor crashed or lost that task.",
            why="Running a task can spawn tasks and wake tasks, which adds to the very queue "
                "being run. Iterating a deque while it grows raises; iterating a copy and then "
                "clearing the queue forgets what was added meanwhile.",
            check="How does block_on take tasks out of the queue? Does it pop them one at a "
                  "time, so that tasks added during the round are still there afterwards?",
            pointer="Look at the loop in `block_on` that runs the tasks: what does it iterate "
                    "over, and what happens to the deque once that loop ends? In the tests, one "
                    "task spawns another and one wakes a waiting task, both while that loop is "
                    "running.",
            rust="The borrow checker refuses `for t in &queue { queue.push_back(..) }`; "
                 "executors pop: `while let Some(task) = queue.pop_front()`.",
            slide="Tasks and the run queue",
        ),
        Hint(
            id="exception_lost",
            title="A task's exception was lost",
            symptom="A spawned task raised, and awaiting its JoinHandle did not raise that "
                    "exception (or the exception stopped the whole executor).",
            why="One failing task must not stop the others, and whoever awaits its handle must "
                "learn that it failed. The exception is the task's result.",
            check="What does your task do when its future's poll raises? Where is the exception "
                  "kept, and what does JoinHandle.poll do with it?",
            pointer="Open `Task.run` at its `poll` call and follow the path where that poll "
                    "raises, on the first poll too: where does the exception end up, and does "
                    "`JoinHandle.poll` look there before returning? If it is the root that raised, "
                    "follow that raise through `block_on`'s cleanup: does anything there catch it "
                    "or raise something else?",
            rust="tokio catches the panic (`catch_unwind`) and the JoinHandle returns "
                 "`Err(JoinError::Panic(..))`.",
            slide="JoinHandle: a future for a task's output",
        ),
        Hint(
            id="double_schedule",
            title="A task queued twice, or polled after Ready",
            symptom="A task woken several times was polled several times in a row, with no new "
                    "wake in between, or a finished task was polled again.",
            why="Each wake means \"poll me once more\", not \"poll me once per wake\". A task "
                "in the queue twice is polled for nothing (its future sees a spurious poll); a "
                "finished task polled again is the poll-after-Ready bug. The original "
                "workshop's spawner pushes the task on every wake and has both problems.",
            check="What does your task's wake() do when the task is already in the queue? And "
                  "when it has finished?",
            pointer="Read `Task.wake` twice: once for a task already sitting in `_queue`, once for "
                    "a task whose `_future` is None. Then list every line of your file that reads "
                    "or writes `_scheduled`, and when each runs.",
            rust="tokio's task state has a NOTIFIED bit: `wake` only schedules when it sets the "
                 "bit, and a COMPLETE task is never scheduled again.",
            slide="One queue entry per task",
        ),
        Hint(
            id="wake_while_running",
            title="A wake during the task's own poll was ignored",
            symptom="A task woke itself during its poll (like yield_now) and was never polled "
                    "again.",
            why="A wake can come while the task is being polled: the future woke itself, or "
                "something it called did. That wake is for *after* this poll. If the task still "
                "looks queued at that moment, the wake is dropped and the task sleeps forever.",
            check="When, in run(), does your task stop counting as queued: before or after it "
                  "polls its future? What happens to a wake in between?",
            pointer="Walk `Task.run` line by line for a future that calls `cx.waker.wake()` inside "
                    "its own `poll`: at the moment that `wake()` runs, what is `_scheduled`, and "
                    "which branch of `Task.wake` does it take?",
            rust="tokio moves the task to RUNNING before polling; a wake then sets NOTIFIED and "
                 "the task is rescheduled when its poll returns.",
            slide="Woken while running",
        ),
        Hint(
            id="root_first_poll",
            title="block_on must poll the root first",
            symptom="block_on did not poll the root future exactly once before its first "
                    "result, or gave up without polling it.",
            why="A future does nothing until it is polled, and no one will wake a future that "
                "was never polled: the root starts out as runnable. block_on polls it at once, "
                "and returns its output as soon as it is Ready.",
            check="Is the root marked as woken before the loop starts? Does block_on return "
                  "the value inside the root's Ready?",
            pointer="Follow `block_on` from its first line to the root's `poll`, for a root that "
                    "nobody has woken yet: which condition guards that `poll`, and what is its "
                    "value on the very first pass? The test's root is Ready on its first poll and "
                    "expects block_on to return after exactly that one poll.",
            rust="tokio's `block_on` polls the future before it ever parks.",
            slide="Tasks and the run queue",
        ),
        Hint(
            id="false_deadlock",
            title="Deadlock raised while the root was woken",
            symptom="The root had been woken (a task completed what it waited for) and no task "
                    "was queued; block_on raised Deadlock instead of polling the root.",
            why="Deadlock means \"nothing can ever happen again\": the root is not woken AND "
                "no task is runnable. A woken root is work to do, even with an empty queue.",
            check="Which two facts does your Deadlock check look at? Is the root's \"woken\" "
                  "flag one of them?",
            pointer="Look at the end of a round in `block_on`, where it decides between going "
                    "round again, parking and raising. In the test a task wakes the root during "
                    "the round, so when that decision runs `_root_woken` is True and the queue is "
                    "empty.",
            rust="tokio's `block_on` parks only when the root was not woken and the run queue "
                 "is empty.",
            slide="Tasks and the run queue",
        ),
        Hint(
            id="root_wake_lost",
            title="A wake during the root's own poll was lost",
            symptom="The root woke itself during its poll (like yield_now) and returned "
                    "Pending, and block_on was never going to poll it again (Deadlock).",
            why="The root's waker may be woken while the root is being polled: by the root "
                "itself, or by something it called. That wake is for after this poll. If "
                "block_on forgets it when the poll returns, the root sleeps for ever although "
                "it asked to be polled again.",
            check="When does block_on clear the root's \"woken\" flag: before or after it "
                  "polls the root? What happens to a wake that comes in between?",
            pointer="Read the branch of `block_on` that polls the root, in order, for a root that "
                    "calls `cx.waker.wake()` inside its poll: at which line does `_root_woken` "
                    "become True, and which of your later lines sets it back?",
            rust="tokio's `block_on` takes the notification (`woken.swap(false)`) before "
                 "polling, so a wake during the poll sets it again.",
            slide="Woken while running",
        ),
        Hint(
            id="run_queue_fifo",
            title="The run queue is first in, first out",
            symptom="Tasks were polled in another order than the one they were spawned or "
                    "woken in.",
            why="A run queue is a queue: the task woken first is polled first. A stack (last "
                "in, first out) polls the newest task first and can leave an old one waiting "
                "for as long as new work keeps arriving; the order of a program's effects "
                "would also depend on the executor's whim.",
            check="Where do you add a task to the queue, and where do you take the next one "
                  "from? Are they opposite ends of the deque?",
            pointer="Two lines matter: the one in `Task.wake` that puts the task into `_queue`, "
                    "and the one in `block_on` that takes the next task out. The test spawns "
                    "several tasks, wakes them in an order of its own, and records the order of "
                    "their polls.",
            rust="`VecDeque::push_back` to schedule, `pop_front` to run; tokio's local run "
                 "queue is FIFO too (with a LIFO slot as an optimisation you do not need).",
            slide="First in, first out, and the root's turn",
        ),
        Hint(
            id="root_starved",
            title="A busy task starved the root",
            symptom="The root had been woken, but a task that keeps waking itself was polled "
                    "again and again before the root got its turn.",
            why="Running the queue \"until it is empty\" never ends if a task re-queues "
                "itself on every poll (a yield loop, a busy producer): the root, already "
                "woken, waits for ever. A round runs only the tasks queued when it starts; "
                "whatever is woken during the round waits until the root had its turn.",
            check="How does your block_on decide when a round is over? Can a task that wakes "
                  "itself during its poll be polled again in the same round?",
            pointer="Look at the condition that keeps your round going in `block_on`, and count "
                    "how many polls it allows when one task re-queues itself on every poll. The "
                    "test's busy task does exactly that while the root is already woken.",
            rust="tokio's scheduler checks the other queues every `event_interval` ticks and "
                 "gives each task a budget, so one task cannot hog the thread.",
            slide="First in, first out, and the root's turn",
        ),
        Hint(
            id="root_polled_unwoken",
            title="The root polled without a wake",
            symptom="The root future was polled again although nothing had woken it.",
            why="Pending means \"wake me when I can progress\". Polling the root on every "
                "round anyway is a busy loop in disguise: wasted work on each round, and a "
                "root that cannot tell a real wake from a spurious poll.",
            check="When does block_on poll the root: only when the root's waker was woken "
                  "since its last poll? Where is that flag set, and where cleared?",
            pointer="Find the root's `poll` call in `block_on` and the condition it sits under, if "
                    "any. Then follow a pass of the loop in which only a task ran and nothing "
                    "called the `_RootWaker`: does that pass still reach the root's `poll`?",
            rust="tokio's `block_on` polls the root future only after its waker set the "
                 "`woken` flag; otherwise it runs tasks or parks.",
            slide="First in, first out, and the root's turn",
        ),
        Hint(
            id="join_state_first",
            title="The JoinHandle was woken before the task was finished",
            symptom="A task finished (or was aborted) and woke its JoinHandle's awaiter; that "
                    "awaiter polled the handle right inside wake() and did not get the result.",
            why="A woken task may be polled at once, even inside `wake()`: an inline executor, "
                "another thread. The wake announces \"the result is ready\", so the task must "
                "already be finished, with its output or error stored, when it wakes anyone. "
                "State first, then wake.",
            check="In the code that finishes a task, list the steps in order: releasing the "
                  "future, storing the result, waking the handle's waker. Is the wake last?",
            pointer="Read `_finish` (and `abort`, which finishes a task as cancelled) in the order "
                    "the lines run, and stop at the `wake()` of the handle's waker: at that "
                    "instant, what would `JoinHandle.poll` find in `_future`, `_output` and "
                    "`_error`? The test's awaiter polls the handle from inside that `wake()`.",
            rust="tokio stores the output in the task cell, sets COMPLETE, and only then calls "
                 "`wake_join()`.",
            slide="JoinHandle: the latest waker, woken last",
        ),
        Hint(
            id="join_latest_waker",
            title="The JoinHandle woke an old waker",
            symptom="A JoinHandle was polled again with a new waker (another task awaited it), "
                    "and when the task finished only an earlier waker was woken.",
            why="A future must wake the waker of its latest poll: the handle may move to "
                "another task (a `select!` that gave up on it, a handle passed along), and the "
                "old waker then wakes the wrong task, or nobody.",
            check="When JoinHandle.poll returns Pending, does it store `cx.waker` every time, "
                  "or only the first time?",
            pointer="Look at the Pending path of `JoinHandle.poll` and at any `if` around the line "
                    "that sets `_task._join_waker`. The test polls the handle from one task, then "
                    "from another task with a different waker, before the task finishes.",
            rust="tokio's JoinHandle replaces the stored waker unless `will_wake` says it is "
                 "the same one.",
            slide="JoinHandle: the latest waker, woken last",
        ),
        Hint(
            id="join_after_ready",
            title="A JoinHandle polled after Ready",
            symptom="A JoinHandle that had returned Ready was polled again and did not raise "
                    "PolledAfterCompletion.",
            why="A JoinHandle is a future like any other: its output is taken once. Polling it "
                "again is a bug in the caller, and the handle must say so instead of handing "
                "out the same output twice.",
            check="Does the handle remember that it already returned Ready, and raise "
                  "PolledAfterCompletion on the next poll?",
            pointer="Look at the top of `JoinHandle.poll` and at the `_taken` slot the class "
                    "already has: where is it written, and where read? The test awaits the handle, "
                    "gets 'once', then polls the same handle one more time.",
            rust="Polling a tokio JoinHandle after it completed panics (\"JoinHandle polled "
                 "after completion\").",
            slide="JoinHandle: a future for a task's output",
        ),
        Hint(
            id="abort_wake",
            title="abort() did not wake whoever awaits the handle",
            symptom="A task was aborted while someone awaited its JoinHandle, and that awaiter "
                    "was never woken.",
            why="abort() finishes the task, as cancelled: that is the event the JoinHandle's "
                "awaiter is waiting for. Like a normal finish, it must wake the handle's waker, "
                "or the awaiter sleeps for ever.",
            check="Does abort() go through the same \"task finished\" path as a normal finish? "
                  "Who wakes the handle's waker on that path?",
            pointer="Put `Task.abort` beside the Ready branch of `Task.run`: which lines does a "
                    "normal finish run that your abort does not? In the test the root is already "
                    "awaiting the handle (so `_join_waker` is set) when another task calls "
                    "`abort()`.",
            rust="tokio's `abort` cancels the future, stores `JoinError::Cancelled`, and wakes "
                 "the JoinHandle's waker.",
            slide="Abort and shutdown",
        ),
        Hint(
            id="nested_block_on",
            title="block_on inside block_on",
            symptom="A future polled by block_on called block_on on the same thread, and did "
                    "not get RuntimeError.",
            why="The inner call would run its own loop while the outer executor and all its "
                "tasks are frozen, and it takes over spawn(): tasks land on the wrong executor. "
                "One executor per thread at a time.",
            check="How does block_on know that this thread already runs an executor? Is that "
                  "checked before anything is changed?",
            pointer="Look at the first lines of `Executor.block_on`: what does the inner call read "
                    "before it assigns `_current.executor`, and what does it change on its way "
                    "out? After the refusal, the outer call still needs `_current.executor` to "
                    "point at its own executor.",
            rust="tokio panics: \"Cannot start a runtime from within a runtime\".",
            slide="One executor per thread",
        ),
        Hint(
            id="executor_reset",
            title="The thread still looks busy after block_on",
            symptom="After a block_on whose root raised, spawn() outside block_on did not "
                    "raise, or the next block_on on that thread failed.",
            why="block_on marks the thread as running this executor (for spawn()). However "
                "block_on ends, returning or raising, the mark must go, or one failure "
                "poisons the thread.",
            check="Where do you reset the current executor? Is that code reached when the root "
                  "raises, or when block_on raises Deadlock?",
            pointer="Follow `block_on` on the path where the root's `poll` raises, from that line "
                    "to where the exception leaves the method, and list what runs on the way; do "
                    "the same for the path where `_park()` raises Deadlock. The test then calls "
                    "`spawn()` outside any `block_on`, and then a fresh `block_on`.",
            rust="tokio's `EnterGuard` resets the thread-local context in `Drop`, which runs "
                 "while a panic unwinds.",
            slide="One executor per thread",
        ),
        Hint(
            id="abort",
            title="abort() must drop the task exactly once",
            symptom="After abort(), the task's future was not dropped, was dropped twice, was "
                    "still polled, or its JoinHandle did not raise Cancelled; or dropping a "
                    "JoinHandle cancelled its task.",
            why="Aborting is cancelling: the task's future is abandoned, so its drop() runs "
                "once (a coroutine's `finally:` runs), it is never polled again, and the handle "
                "reports the cancellation.",
            check="What does abort() do to a task that is queued, one that is waiting, one that "
                  "already finished? Is drop() guarded so it happens once, also when the root "
                  "finishes later? Does anything but abort() cancel a task?",
            pointer="Read `Task.abort` three times: for a task waiting on its future, for one "
                    "still in the queue (then `Task.run` when the queue reaches it), and for one "
                    "already finished. Then read `_shutdown` for a task aborted earlier, and follow "
                    "what runs when a JoinHandle is dropped: does any of it reach `abort`?",
            rust="`JoinHandle::abort` drops the future; `.await` then returns "
                 "`Err(JoinError::Cancelled)`.",
            slide="Abort and shutdown",
        ),
        Hint(
            id="shutdown",
            title="Unfinished tasks when the root finishes",
            symptom="When the root finished (or raised), the tasks still unfinished were not "
                    "dropped exactly once, or a queued task was polled.",
            why="This executor's rule, like tokio's runtime shutdown: block_on returns when the "
                "root is done, and every unfinished task is dropped (drop() once, in spawn "
                "order) so their resources are released.",
            check="Where does block_on end, on a result and on an exception? Does it then drop "
                  "each unfinished task, and only those?",
            pointer="Look at `_shutdown` and at where `block_on` calls it: which collection does "
                    "it walk, and does that collection hold a task that is waiting but not queued? "
                    "Is the call reached when the root raises, and does the walk survive each task "
                    "leaving the collection as it is dropped?",
            rust="Dropping a tokio `Runtime` (or leaving `#[tokio::main]`) drops every task "
                 "still alive.",
            slide="Abort and shutdown",
        ),
        Hint(
            id="release_finished",
            title="A finished task keeps its future",
            symptom="A task finished, but its future (and what it held) stayed alive as long as "
                    "its JoinHandle.",
            why="A finished future is dead weight: buffers, sockets or locks it held should go "
                "at once, not when someone finally reads the result.",
            check="When the task finishes, does it let go of its future, keeping only the result?",
            pointer="Look at `_finish`: once it has run, what do `self._future` and the executor's "
                    "`_tasks` still hold? One test keeps only the JoinHandle of a finished task, "
                    "another keeps nothing at all, and an aborted task counts as finished too.",
            rust="tokio's task cell moves from `Stage::Running(future)` to `Stage::Finished("
                 "output)`, dropping the future.",
            slide="JoinHandle: a future for a task's output",
        ),
        Hint(
            id="stuck",
            title="Nothing can wake the root",
            symptom="The root was Pending, no task was runnable, no blocking task was running, "
                    "and block_on did not raise Deadlock.",
            why="With nothing runnable and no other thread that could send a wake, waiting "
                "would hang forever. `_park()` knows that case and raises Deadlock: a clear "
                "error is better than a hang.",
            check="After a round, if the root was not woken and the queue is empty, does your "
                  "block_on call `self._park(None)`?",
            pointer="Follow your loop in `block_on` through a pass where the root returns Pending, "
                    "the queue is empty and nothing wakes anything: where does that pass end, and "
                    "which line runs next?",
            rust="tokio's current-thread runtime parks forever in that case; with the clock "
                 "paused it auto-advances to the next timer, and with no timer it parks too.",
            slide="Tasks and the run queue",
        ),
        Hint(
            id="cross_thread_wake",
            title="A wake from another thread was not seen",
            symptom="A task was woken from another thread while block_on was parked, and "
                    "block_on did not wake up (or gave up with Deadlock).",
            why="A waker is `Send + Sync`: any thread may wake any task, here a `spawn_blocking` "
                "thread when its work is done. The executor sleeps in `_park()` on its "
                "condition; only `_unpark()` (a `notify()` of that condition) wakes it, and the "
                "queue must be changed under the same lock, or the wake can slip in between the "
                "check and the sleep.",
            check="Does your `Task.wake` hold `self._executor._lock` while it checks and "
                  "queues, and call `self._executor._unpark()`? Does block_on park "
                  "(`self._park(...)`) instead of raising Deadlock itself?",
            pointer="Look at the end of `Task.wake`, and at the line of block_on that runs when "
                    "the round is over and nothing is runnable.",
            rust="`impl Wake for Task { fn wake(self: Arc<Self>) { queue.lock().unwrap()"
                 ".push_back(self.clone()); parker.unpark(); } }`: std's `thread::park` / "
                 "`Thread::unpark`, or a `Condvar` beside the queue's `Mutex`.",
            slide="Wakes from another thread",
        ),
    ),
)
