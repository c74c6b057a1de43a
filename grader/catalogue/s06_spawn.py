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
                  "task finishes, who calls wake() on it?",
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
            rust="tokio moves the task to RUNNING before polling; a wake then sets NOTIFIED and "
                 "the task is rescheduled when its poll returns.",
            slide="Woken while running",
        ),
        Hint(
            id="abort",
            title="abort() must drop the task exactly once",
            symptom="After abort(), the task's future was not dropped, was dropped twice, was "
                    "still polled, or its JoinHandle did not raise Cancelled.",
            why="Aborting is cancelling: the task's future is abandoned, so its drop() runs "
                "once (a coroutine's `finally:` runs), it is never polled again, and the handle "
                "reports the cancellation.",
            check="What does abort() do to a task that is queued, one that is waiting, one that "
                  "already finished? Is drop() guarded so it happens once?",
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
            rust="tokio's task cell moves from `Stage::Running(future)` to `Stage::Finished("
                 "output)`, dropping the future.",
            slide="JoinHandle: a future for a task's output",
        ),
        Hint(
            id="stuck",
            title="Nothing can wake the root",
            symptom="The root was Pending, no task was runnable, and block_on did not raise "
                    "Deadlock.",
            why="On one thread, with no timers, nothing else can wake anyone: waiting would "
                "hang forever. A clear error is better than a hang.",
            check="After a round, if the root was not woken and the queue is empty, what does "
                  "your block_on do?",
            rust="tokio's current-thread runtime would park forever; its test-util clock "
                 "panics instead when time is paused and nothing can progress.",
            slide="Tasks and the run queue",
        ),
    ),
)
