from grader.model import Hint, Stage

STAGE = Stage(
    id="02_state_machine",
    title="A future state machine",
    minutes=45,
    files=("state_machine.py",),
    goal="Hand-write the state machine an `async fn` with two awaits compiles to, then `Select`, "
    "`Join`, and a small driver that runs an `async def` coroutine through `poll`.",
    hints=(
        Hint(
            id="state_machine",
            title="UserAndOrders: run the body, one state per await",
            symptom="`UserAndOrders` did not go Start → AwaitingUser → AwaitingOrders → Done and "
            "finish with `Ready((user, orders))`, or did not pass the user to `fetch_orders`.",
            why="An `async fn` compiles to an enum with one variant per `.await` point. Each "
            "variant holds what is alive there; `poll` runs the code between two awaits and "
            "moves to the next variant.",
            check="Walk through your `match self.state:` by hand for a user future that is "
            "Pending once: which state are you in after each poll, and what does each return? "
            "Is the final value the tuple of both results?",
            pointer="`UserAndOrders.poll`, the `case AwaitingUser(...)` branch when the user "
            "future answers Ready: what does `fetch_orders` receive, and what is `self.state` "
            "afterwards? Then the `AwaitingOrders` branch: which two names build the final "
            "tuple, and where does `user` come from there?",
            rust="`enum UserAndOrders { Start {..}, AwaitingUser {..}, AwaitingOrders {..}, "
            "Done }` and `loop { match self.state { .. } }` in `poll`.",
            slide="What async fn compiles to",
        ),
        Hint(
            id="not_lazy",
            title="Not lazy: work started before the first poll",
            symptom="Creating the future already ran part of the body: `fetch_user()` was called "
            "(or the coroutine was started) before anyone polled it.",
            why="Rust futures are lazy: calling an `async fn` only builds the state machine in "
            "its first state. Nothing runs until an executor polls it, so a future that is "
            "created and then dropped unpolled has no effect at all.",
            check="What does your constructor do besides storing its arguments? Move everything "
            "else into the first poll.",
            pointer="`UserAndOrders.__init__` (and `CoroutineDriver.__init__`): look for "
            "parentheses after `fetch_user`, or a `send(` on the coroutine. The test counts "
            "the calls of `fetch_user` right after construction, before any poll.",
            rust='`let fut = user_and_orders(..);` runs nothing; "futures do nothing unless you '
            '`.await` or poll them" (the `#[must_use]` warning).',
            slide="Lazy: calling is not running",
        ),
        Hint(
            id="transition_without_poll",
            title="Pending after a transition, without polling the new future",
            symptom="After moving to a new state (or after the coroutine handed back a new "
            "future), `poll` returned Pending without polling the new inner future. Nothing "
            "holds the waker: the task sleeps forever.",
            why="Pending is a promise that someone will wake the task. Only a future you polled "
            "can keep that promise, because only it got `cx.waker`. A future that was just "
            "created has arranged nothing yet.",
            check="Follow your `poll` after each transition: does control go round again to "
            "poll the future you just stored, within the same call? What is the last thing "
            "that happens before each `return Pending`?",
            pointer="In `UserAndOrders.poll`, the line that assigns `AwaitingOrders(...)` to "
            "`self.state`; in `CoroutineDriver.poll`, the line that keeps what `send()` "
            "returned. What runs right after each of them, before `poll` returns?",
            rust="In the generated `poll`, a transition falls through to the next `.await`, "
            "which polls at once; returning `Poll::Pending` there would hang the task.",
            slide="Transitions: poll the new future now",
        ),
        Hint(
            id="recreated_inner_future",
            title="The inner future is created again on every poll",
            symptom="`fetch_user()` or `fetch_orders()` was called again on a later poll, so the "
            "inner future (its progress and its waker) was thrown away and started over.",
            why="Each step of the body runs once. The inner future is part of the state: it is "
            "created in one transition and then kept, and every later poll polls that same "
            "object until it is Ready. Polls can be spurious; they must not redo work.",
            check="Where does the future returned by `fetch_user()` live between two polls? On "
            "the second poll, which state are you in, and does that state create anything?",
            pointer="Search `UserAndOrders.poll` for every `fetch_user(` and `fetch_orders(` "
            "call. For each one: which `case` is it in, and can that case run again on a later "
            "poll, because `self.state` was not moved on or was put back?",
            rust="`AwaitingUser { user_future, .. }` stores the future in the enum; the "
            "generated code never calls `fetch_user()` twice.",
            slide="The state keeps the future",
        ),
        Hint(
            id="poll_after_completion",
            title="Poll after completion is not detected",
            symptom="A future that had already returned Ready was polled again, and it did "
            "not raise `PolledAfterCompletion` (it answered again, or polled an inner future "
            "that had finished or been dropped).",
            why="After Ready the output has been handed out and the inner futures are gone. A "
            "second poll is a bug in the caller; failing loudly finds it at once instead of "
            "re-running finished work or returning a value twice.",
            check="Does every one of your futures remember that it finished? What is the very "
            "first thing its `poll` checks?",
            pointer="The message names the class. In `UserAndOrders`, what is `self.state` "
            "right after the branch that returns `Ready((user, orders))`? In `Select`, `Join` "
            "and `CoroutineDriver`, which attribute changes on the path that returns Ready, "
            "and does the top of `poll` read it?",
            rust='`async fn` futures panic with "`async fn` resumed after completion"; '
            "`futures::join!` panics on a `MaybeDone` whose output was taken.",
            slide="Done means done",
        ),
        Hint(
            id="drop_in_flight",
            title="Dropped mid-await, the in-flight future is not dropped",
            symptom="The future was dropped while waiting on an inner future (or on a "
            "coroutine), and that inner future's `drop()` was not called exactly once, or the "
            "coroutine was not closed.",
            why="Cancellation in Rust is drop: dropping a state machine drops the fields of its "
            "current state, so the future it was awaiting is cancelled too and can release "
            "what it registered. In Python, `drop()` has to pass this on by hand.",
            check="For each state, what is alive in it that has a `drop()`? What should a "
            "coroutine be told when nobody will ever resume it?",
            pointer="`UserAndOrders.drop()` while `self.state` is `AwaitingUser` or "
            "`AwaitingOrders`: which field of that state is the in-flight future, and does "
            "your `drop()` reach it? For `CoroutineDriver.drop()`, reread the `drop()` bullet "
            "of the class docstring: which method of the coroutine does it name?",
            rust="The compiler-generated drop glue of the `async fn` enum; for a coroutine, "
            "closing it raises `GeneratorExit` at the `await`.",
            slide="Cancellation is drop",
        ),
        Hint(
            id="select",
            title="Select: finish with the side that finished",
            symptom="`Select` did not answer `Ready(Left(value))` when the left future finished, "
            "or `Ready(Right(value))` when the right one did.",
            why="`select` races two futures: every poll gives each a chance to finish, and the "
            "answer says which one won and with what value.",
            check="What does your `poll` return in each of the three cases: left Ready, right "
            "Ready, both Pending? Is the value wrapped in `Left`/`Right`?",
            pointer="`Select.poll`, the two places that return Ready: which class wraps the "
            "value on each? And is what you put inside it the value taken out of that side's "
            "`Ready`, or the `Ready` itself?",
            rust="`futures::future::select` returns `Either::Left`/`Either::Right`; "
            "`tokio::select!` runs the branch of the winner.",
            slide="select: first to finish wins",
        ),
        Hint(
            id="select_one_side",
            title="Select polls only one side",
            symptom="The right future could finish (or had finished), yet `Select` returned "
            "Pending without polling it.",
            why="A future can only finish when it is polled, and only a polled future holds the "
            "waker. A select that skips one side can neither see it finish nor be woken by it.",
            check="When the left future is Pending, what happens before your `return Pending`? "
            "Is that the same on every poll?",
            pointer="`Select.poll`, on the path taken when the left side answers Pending: "
            "count the calls to the right side's `poll` on it. Look for an early `return`, or "
            "a flag or a turn-taking counter that skips the right side on some polls.",
            rust="`select` polls both futures on every poll until one is ready.",
            slide="select: first to finish wins",
        ),
        Hint(
            id="select_left_first",
            title="Select is not left-biased",
            symptom="Both futures could finish in the same poll, and `Select` did not answer "
            "with the left one, or polled the right one although the left was Ready.",
            why="Polling is what makes a future finish. If the right future is polled and "
            "completes but left wins, right's output is thrown away (a received message, a "
            "lock handed over). Check left first, and stop as soon as one side is Ready.",
            check="In which order do you poll the two sides, and do you poll the second one "
            "even when the first has already answered Ready?",
            pointer="`Select.poll` from its first line: are both sides' `poll` results "
            "computed before either one is looked at (two calls in a row, a tuple of both, a "
            "loop over both)?",
            rust="`futures::future::select` and `tokio::select! { biased; .. }` poll in order "
            "and stop at the first ready branch.",
            slide="select: first to finish wins",
        ),
        Hint(
            id="loser_not_dropped",
            title="The loser of select is not dropped exactly once",
            symptom="One side of `Select` won; the other side's `drop()` was not called exactly "
            "once (or the winner, already finished, was dropped).",
            why="The loser will never be polled again: it is cancelled. Dropping it lets it "
            "release what it registered (a waker in a queue, a place in a lock's line). Twice "
            "is a bug too, and the winner has already completed, so it has nothing to cancel.",
            check="At the moment you return `Ready(...)`, which future did not finish? Is its "
            "`drop()` called on that path, and only there?",
            pointer="Both Ready paths of `Select.poll`, the Left one and the Right one: the "
            "loser can be either side. Then `Select.drop()`: once a side has won, what does it "
            "still call `drop()` on?",
            rust="`tokio::select!` drops the other branches' futures when one completes.",
            slide="select drops the loser",
        ),
        Hint(
            id="join",
            title="Join: finish with both outputs",
            symptom="`Join` did not finish with `Ready((left_output, right_output))` once both "
            "children had finished.",
            why="`join` runs two futures concurrently inside one task and finishes when the "
            "slower one does. The output of the faster one has to be kept until then.",
            check="Where do you keep a child's output when it finishes first? Is the final tuple "
            "in (left, right) order?",
            pointer="`Join.poll`, on the poll where the second child finishes: is the first "
            "child's output read from an attribute that `Join.__init__` created and an earlier "
            "poll filled, or was it only a local variable of that earlier poll? And does your "
            "tuple hold outputs, or `Ready` objects?",
            rust="`futures::join!(a, b)` returns `(a_output, b_output)`, using `MaybeDone`.",
            slide="join: both, concurrently",
        ),
        Hint(
            id="join_sequential",
            title="Join runs its children one after the other",
            symptom="`Join` did not poll every unfinished child on each poll: the right future "
            "was only polled after the left one had finished.",
            why="That is `a.await; b.await`, not `join`. Concurrency inside one task means "
            "every poll gives each unfinished child a turn, so both make progress and either "
            "can wake the task.",
            check="What stops your `poll` from reaching the right child while the left one is "
            "Pending?",
            pointer="`Join.poll` from the top while the left child is still unfinished: look "
            "for a `return Pending`, or an `if ... else`, between the left child's `poll` and "
            "the right child's.",
            rust="`join!` polls all its futures on every poll; sequential `.await`s do not.",
            slide="join: both, concurrently",
        ),
        Hint(
            id="join_repoll_finished",
            title="Join re-polls a finished child",
            symptom="A child of `Join` had already returned Ready and was polled again.",
            why="Polling after Ready breaks the child's contract: it may panic, or run finished "
            "work again. Once a child is done, its output is all that is left of it.",
            check="How does your `poll` know that a child has already finished, and does it "
            "skip that child on later polls?",
            pointer="The line in `Join.poll` that calls the left child's `poll`, and the one "
            "for the right: what condition stands in front of each, and what does it read on "
            "the poll after that child returned Ready?",
            rust="`MaybeDone::Future(f)` becomes `MaybeDone::Done(output)`; a `Done` child is "
            "never polled again.",
            slide="join: both, concurrently",
        ),
        Hint(
            id="stale_waker",
            title="The children get a waker from an earlier poll",
            symptom="Polled again with a new waker, your future passed an older waker (kept "
            "from an earlier poll) down to its inner futures, so when one of them finished it "
            "woke a waker that is not the latest one.",
            why="A future may be moved to another task between polls, and only the latest "
            "waker is sure to reach whoever polls it now. A combinator owns no waker of its "
            "own: each poll it hands the `cx` it was given straight to its children.",
            check="Do you store a waker or a `Context` on `self`? What `cx` do you pass to the "
            "children's `poll` on the second poll?",
            pointer="The test polls twice with two different wakers and finishes a child after "
            "the second poll. Look at every `.poll(` call on a child in state_machine.py: "
            "which name does its argument use, the `cx` parameter of the current call or "
            "something remembered from `__init__` or the first poll?",
            rust="`self.left.poll(cx)` with the `cx: &mut Context<'_>` of this very poll; a "
            "combinator has nowhere to keep one (the borrow checker forbids it).",
            slide="Pass this poll's cx down",
        ),
        Hint(
            id="falsy_output",
            title="A falsy output taken for \"not ready\"",
            symptom="An inner future finished with a value like `None`, `0`, `\"\"` or `[]`, "
            "and your future treated it as missing: it polled that future again, never "
            "finished, answered with another value, or did not notice a poll after completion.",
            why="`Ready(None)` and `Ready(0)` are finished futures. Whether a child finished is "
            "a fact about its `Poll`, not about its output: an output is any value, and "
            "testing it with `if value:` or `is None` confuses \"finished with nothing\" "
            "with \"not finished\".",
            check="Where do you decide that a child has finished, or that your future is done? "
            "Does that test look at the output value (`if value`, `is None`) or at the "
            "state (`Ready`/`Pending`, a flag, a Done state)?",
            pointer="Places to look, by class: in `UserAndOrders`, a test on `user`; in "
            "`Select`, how you tell the winner after polling; in `Join`, what marks a child as "
            "\"not finished yet\" (`None` is taken: it is an output); in `CoroutineDriver`, "
            "where you read the body's return value and how you tell the awaited future's "
            "Ready from Pending.",
            rust="`MaybeDone::Done(output)` is a variant, whatever `output` is; `Option<T>` "
            "wraps an output of `None` as `Some(None)`.",
            slide="Ready(None) is an output",
        ),
        Hint(
            id="combinator_drop",
            title="Dropping Select or Join does not drop its children",
            symptom="`Select` or `Join` was dropped before it finished, and the children still "
            "running were not dropped exactly once.",
            why="A combinator owns its children. When it is abandoned (a timeout, an outer "
            "select, an aborted task) nobody else will ever poll or drop them, so it must "
            "cancel them, or they keep what they registered forever.",
            check="Does your class have a `drop()`? Which children are still running at the "
            "moment it is called, and is each of them dropped there?",
            pointer="`Select.drop()` and `Join.drop()` called right after a Pending poll, when "
            "nothing has finished: follow each line. Is there an early `return`, or a "
            "condition that is already true before anything finished (a flag set in "
            "`__init__`, a test on a child's output)?",
            rust="Dropping `Select<A, B>` or `Join<A, B>` runs the drop glue of its fields: "
            "every child still owned is dropped, with no code to write.",
            slide="Dropping a combinator",
        ),
        Hint(
            id="drop_twice",
            title="A future dropped twice, or after it finished",
            symptom="`drop()` reached an inner future that had already finished, or had "
            "already been dropped: after `Ready`, after a loser was dropped, on a second "
            "`drop()`.",
            why="Drop cancels what is still running, once. A finished future has nothing to "
            "cancel, and a future dropped twice may release twice what it held (a slot, a "
            "lock, a place in a queue).",
            check="After your future returned Ready, or after a first `drop()`, what does your "
            "`drop()` still think is running? Where do you remember that a child finished "
            "or was already dropped?",
            pointer="Call your `drop()` in your head after a Ready, after a side won, and "
            "twice in a row. In `UserAndOrders.drop()`, what is `self.state` after the first "
            "call; in `Join.drop()`, which child is skipped; in `CoroutineDriver.drop()`, does "
            "anything drop the awaited future besides `coro.close()`, which already does "
            "through stdtask's `await`?",
            rust="Rust drops each value exactly once, and the winner of `select` has been "
            "consumed: `Drop` cannot run twice, the compiler sees to it. Python does not.",
            slide="Dropping a combinator",
        ),
        Hint(
            id="exception_lost",
            title="A child's exception did not come out",
            symptom="An inner future (or `fetch_user()`/`fetch_orders()`, or the coroutine "
            "body) raised, and your `poll` did not let that exception out: it returned a "
            "value or Pending, or raised something else.",
            why="An exception in `poll` is Rust's panic unwinding: it passes through every "
            "`poll` above it until someone who can handle it. A combinator that swallows it "
            "turns a failure into a wrong answer, or into a task that waits forever.",
            check="Is there a `try:`/`except` around a child's `poll` in your code? What does "
            "it do with the exception?",
            pointer="Look at every `except` in state_machine.py, including one around "
            "`coro.send(...)` meant for `StopIteration` and one around `fetch_orders(user)`: "
            "which exception types does it catch, and what does the code return after it? In "
            "`Select`, also look for a side whose `poll` raised being counted as Pending.",
            rust="A panic in a child's `poll` unwinds through `Select::poll` and `Join::poll` "
            "alike; neither catches it (`catch_unwind` is an explicit choice elsewhere).",
            slide="A panic unwinds through poll",
        ),
        Hint(
            id="unwind_cleanup",
            title="After a child raised, the future is not over",
            symptom="A child raised and the exception came out, but then: a child still running "
            "was not dropped exactly once, a finished one was dropped, the coroutine was left "
            "suspended, or a later poll did not raise `PolledAfterCompletion`.",
            why="An exception ends the future, like a panic ends an `async fn`: the children it "
            "still ran are abandoned and must be dropped (Rust's unwinding drops them), and "
            "there is nothing left to poll.",
            check="When a child's `poll` raises, which state is your future left in? What does "
            "a later `poll` do, and a later `drop()`?",
            pointer="Take the path where a child's `poll` raises, in the class the message "
            "names: between the raising line and the exception leaving your `poll`, what runs? "
            "Check `self.state` in `UserAndOrders`, the other side in `Select` and `Join`, and "
            "in `CoroutineDriver` whether the coroutine is still suspended at its `await`.",
            rust="During unwinding Rust drops everything the future owned; polling an `async fn` "
            "again panics with \"`async fn` resumed after panicking\".",
            slide="A panic unwinds through poll",
        ),
        Hint(
            id="ended_while_running",
            title="Finished or dropped on an ordinary poll",
            symptom="A poll that returned Pending dropped inner futures that were still running, "
            "or left your future finished, so that the next poll raised "
            "`PolledAfterCompletion` although it had never returned Ready.",
            why="Cleanup belongs to the moments a future is abandoned for good: `drop()`, a "
            "child's exception, `select`'s loser. Returning Pending is not one of them: the "
            "future and all its children are still running. A `finally:` block runs on every "
            "return, the ordinary ones included.",
            check="Is there a `finally:` in your `poll`, or a `drop()` call or a `done = True` "
            "that every path reaches? Which paths should reach it?",
            pointer="The test's first poll returned Pending. Find what that poll wrote to your "
            "finished flag, to `self.state`, or to the children (a `drop()`), and which line "
            "of the Pending path wrote it.",
            rust="Drop glue runs when a value goes out of scope or a panic unwinds, never when "
            "`poll` returns `Poll::Pending`: the future stays alive in its task.",
            slide="A panic unwinds through poll",
        ),
        Hint(
            id="moved_before_first_poll",
            title="Moved before its first poll, the future still used its old self",
            symptom="The test moved your future before its first poll (its fields copied into a "
            "new object, the old object never used again), and polling the new one still "
            "reached the old one.",
            why="Rust moves a value by copying its bytes; nothing updates a pointer into the old "
            "place. An `async fn` future holds only its arguments until its first poll, so it "
            "may be moved until then (`Box::pin`, `spawn`, `join`); only its first poll can "
            "create references into itself, which is why `poll` takes `Pin<&mut Self>`. A "
            "Python object never moves, so only a reference to the future itself can go stale.",
            check="Which of the things your `__init__` stores refer back to the future itself "
            "(`self`), rather than to the arguments or to new plain data?",
            pointer="Read `__init__` of the class the message names: a bound method "
            "(`self._something` without a call), a generator or coroutine started from a method "
            "of `self`, a lambda, `functools.partial` or helper object given `self`. Each of "
            "them still means the old object after the move.",
            rust="A struct cannot borrow from itself in `new()`: the borrow checker refuses. "
            "`async fn` futures start borrowing from themselves only in their first poll, and "
            "`Pin<&mut Self>` promises `poll` that they will not move again.",
            slide="Pin, in Python: movable until the first poll",
        ),
        Hint(
            id="coroutine_driver",
            title="CoroutineDriver: run the body through send()",
            symptom="The coroutine did not run to its `return`, an `await` did not evaluate to "
            "the awaited future's value, or the return value did not come back as `Ready`.",
            why="A coroutine is a state machine Python builds for you: `send(value)` resumes it "
            "until it yields the next awaited future, and `StopIteration.value` carries its "
            "return value. The driver polls what the body awaits and resumes the body with "
            "the result.",
            check="What do you pass to `send` after the awaited future is Ready, and what do you "
            "do with what `send` returns? Where does the body's return value arrive?",
            pointer="`CoroutineDriver.poll`, the moment the awaited future answers `Ready(v)`: "
            "trace `v` until it reaches the next `send(...)` call (a local variable reset to "
            "`None` on the way loses it). Then the `send` that finishes the body: where is the "
            "`StopIteration` it raises caught, if anywhere?",
            rust="The `poll` the compiler generates for an `async fn`: each `.await` is a loop "
            "that polls the inner future and `yield`s while it is Pending.",
            slide="How await drives a coroutine",
        ),
    ),
)
