"""Stage 02: a hand-written `async fn` state machine, `Select`, `Join`, and a coroutine driver.

Order matters: basic behaviour of each piece first, then one test per mistake, so the first
failure names the mistake (see tests/mutants/m02_state_machine.py). The inner futures are
scripted, and the `fetch_*` callables refuse a second call, so a re-created inner future or
a re-polled finished child is caught the moment it happens, with its own hint.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from kit import HintedFailure, ManualTask, ScriptedFuture, expect, fail, load_stage, poll_once
from stdtask import Future, Pending, Poll, PolledAfterCompletion, Ready, TodoError

stage = load_stage("02_state_machine", "state_machine")

FOREVER = None  # ScriptedFuture(pending=FOREVER): Pending until the test calls complete()


def scripted(value: Any, pending: int | None, name: str, misuse: str) -> ScriptedFuture[Any]:
    """A leaf future; polling it after Ready or after drop fails with hint `misuse`."""
    return ScriptedFuture(value, pending, name=name, misuse_hint=misuse)


class Once:
    """`fetch_user` / `fetch_orders`: returns its future on the first call, fails on a second."""

    def __init__(self, name: str, future: ScriptedFuture[Any]) -> None:
        self.name = name
        self.future = future
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> ScriptedFuture[Any]:
        if self.calls:
            fail(
                "recreated_inner_future",
                f"{self.name}() was called a second time, on a later poll: the future it made "
                "the first time (and its progress, and its waker) was thrown away and a new "
                "one started from scratch.",
            )
        self.calls.append(args)
        return self.future


def user_and_orders(
    user_pending: int | None = FOREVER,
    orders_pending: int | None = FOREVER,
    misuse: str = "state_machine",
) -> tuple[Future[Any], Once, Once]:
    user = scripted("ada", user_pending, "the user future", misuse)
    orders = scripted(["book", "lamp"], orders_pending, "the orders future", misuse)
    fetch_user, fetch_orders = Once("fetch_user", user), Once("fetch_orders", orders)
    return stage.UserAndOrders(fetch_user, fetch_orders), fetch_user, fetch_orders


def made(*fetches: Once) -> Callable[[], list[ScriptedFuture[Any]]]:
    """The inner futures that `fetches` have handed out so far."""
    return lambda: [fetch.future for fetch in fetches if fetch.calls]


def track(future: Future[Any], waker_hint: str, what: str) -> ManualTask[Any]:
    """A ManualTask whose lost- or stale-waker failure carries `waker_hint`.

    Here an unheld latest waker means a new inner future was never polled: the only old
    waker still held is the one a finished inner future kept.
    """
    return ManualTask(future, lost_waker_hint=waker_hint, stale_waker_hint=waker_hint, what=what)


def step(task: ManualTask[Any], created: Callable[[], list[ScriptedFuture[Any]]]) -> Poll[Any]:
    """`task.poll()`, explaining a lost waker as a new inner future that was never polled.

    `created()` lists the inner futures the code under test has created (or awaited) so far.
    """
    try:
        return task.poll()
    except HintedFailure as lost:
        if lost.hint != "transition_without_poll":
            raise
        unpolled = [f.name for f in created() if f.polls == 0 and not f.dropped]
        where = (
            f"{' and '.join(unpolled)} {'was' if len(unpolled) == 1 else 'were'} never polled"
            if unpolled
            else "no inner future was holding its waker"
        )
        fail(
            "transition_without_poll",
            f"Poll #{task.polls} of {task.what} returned Pending, but {where}: nothing holds "
            "the waker, so nothing will ever wake this task again.",
        )


def expect_detects_poll_after_completion(future: Future[Any], what: str) -> None:
    try:
        result = poll_once(future)
    except PolledAfterCompletion:
        return
    except HintedFailure as misuse:
        if misuse.hint != "poll_after_completion":
            raise
        fail(
            "poll_after_completion",
            f"{what} was polled again after it returned Ready and, instead of raising "
            f"PolledAfterCompletion, went on as if it had not finished: {misuse.message}",
        )
    except TodoError:
        raise
    except Exception as error:
        fail(
            "poll_after_completion",
            f"{what} was polled again after it returned Ready and raised "
            f"{type(error).__name__}({error}) instead of PolledAfterCompletion.",
        )
    fail(
        "poll_after_completion",
        f"{what} was polled again after it returned Ready and answered {result!r} instead of "
        "raising PolledAfterCompletion.",
    )


# --- 1. UserAndOrders: the state machine -----------------------------------------------------


@pytest.mark.hint("state_machine")
def test_user_and_orders_runs_both_awaits_and_returns_both_results() -> None:
    future, fetch_user, fetch_orders = user_and_orders()
    user, orders = fetch_user.future, fetch_orders.future
    task = track(future, "transition_without_poll", "UserAndOrders")

    created = made(fetch_user, fetch_orders)
    first = step(task, created)
    expect(
        first is Pending,
        "state_machine",
        f"The user future is still Pending, yet the first poll returned {first!r}.",
    )
    expect(
        user.polls == 1,
        "state_machine",
        f"The first poll polled the user future {user.polls} times instead of once.",
    )

    user.complete()
    second = step(task, created)
    expect(
        fetch_orders.calls == [("ada",)],
        "state_machine",
        "The user future finished with 'ada'; the next poll should call fetch_orders('ada'), "
        f"but the calls were {fetch_orders.calls!r}.",
    )
    expect(
        second is Pending,
        "state_machine",
        "The orders future is still Pending, yet the poll after the user arrived returned "
        f"{second!r}.",
    )

    orders.complete()
    third = step(task, created)
    expect(
        third == Ready(("ada", ["book", "lamp"])),
        "state_machine",
        "Both inner futures finished ('ada', then ['book', 'lamp']), but the last poll returned "
        f"{third!r} instead of Ready(('ada', ['book', 'lamp'])).",
    )


@pytest.mark.hint("not_lazy")
def test_user_and_orders_is_lazy() -> None:
    future, fetch_user, fetch_orders = user_and_orders()
    expect(
        not fetch_user.calls and not fetch_orders.calls,
        "not_lazy",
        "Creating UserAndOrders(fetch_user, fetch_orders) already called fetch_user(), "
        "before anyone polled it.",
    )
    poll_once(future)
    expect(
        len(fetch_user.calls) == 1,
        "state_machine",
        "The first poll of UserAndOrders did not call fetch_user().",
    )


@pytest.mark.hint("transition_without_poll")
def test_new_inner_future_is_polled_in_the_same_poll() -> None:
    # Both inner futures are ready at once: one poll runs the whole body.
    future, fetch_user, fetch_orders = user_and_orders(user_pending=0, orders_pending=0)
    result = poll_once(future)
    if result is Pending:
        user, orders = fetch_user.future, fetch_orders.future
        unpolled = [
            f.name for f in (user, orders) if f.polls == 0 and (f is user or fetch_orders.calls)
        ]
        fail(
            "transition_without_poll",
            "fetch_user() and fetch_orders() both return futures that are ready at once, yet "
            f"the first poll returned Pending ({' and '.join(unpolled) or 'a new future'} was "
            "created but not polled in that poll).",
        )
    expect(
        result == Ready(("ada", ["book", "lamp"])),
        "state_machine",
        f"Both inner futures were ready at once, but the first poll returned {result!r}.",
    )

    # The poll that sees the user arrive must also poll the new orders future.
    future, fetch_user, fetch_orders = user_and_orders(user_pending=1, orders_pending=FOREVER)
    poll_once(future)
    poll_once(future)
    expect(
        fetch_orders.future.polls == 1,
        "transition_without_poll",
        "The user future became Ready on the second poll, which created the orders future but "
        f"polled it {fetch_orders.future.polls} times in that same poll instead of once.",
    )


@pytest.mark.hint("recreated_inner_future")
def test_each_inner_future_is_created_once_and_polled_until_ready() -> None:
    future, fetch_user, fetch_orders = user_and_orders()
    user, orders = fetch_user.future, fetch_orders.future
    for _ in range(4):  # spurious polls: nothing changed
        poll_once(future)
    expect(
        user.polls == 4,
        "recreated_inner_future",
        f"UserAndOrders was polled 4 times while waiting for the user, but the user future "
        f"was polled {user.polls} times.",
    )
    user.complete()
    for _ in range(4):
        poll_once(future)
    expect(
        orders.polls == 4,
        "recreated_inner_future",
        f"UserAndOrders was polled 4 times while waiting for the orders, but the orders future "
        f"was polled {orders.polls} times.",
    )


@pytest.mark.hint("poll_after_completion")
def test_user_and_orders_detects_poll_after_completion() -> None:
    future, _, _ = user_and_orders(user_pending=0, orders_pending=0, misuse="poll_after_completion")
    poll_once(future)
    expect_detects_poll_after_completion(future, "UserAndOrders")


@pytest.mark.hint("drop_in_flight")
def test_dropping_user_and_orders_drops_the_future_it_awaits() -> None:
    future, fetch_user, fetch_orders = user_and_orders()
    future.drop()
    expect(
        not fetch_user.calls and not fetch_orders.calls,
        "drop_in_flight",
        "UserAndOrders was dropped before its first poll, and drop() called fetch_user() or "
        "fetch_orders(): a future that was never created has nothing to drop.",
    )

    future, fetch_user, _ = user_and_orders()
    poll_once(future)
    future.drop()
    expect(
        fetch_user.future.drops == 1,
        "drop_in_flight",
        "UserAndOrders was dropped while waiting for the user; the user future's drop() was "
        f"called {fetch_user.future.drops} times instead of once.",
    )

    future, fetch_user, fetch_orders = user_and_orders(user_pending=0)
    poll_once(future)
    future.drop()
    expect(
        fetch_orders.future.drops == 1,
        "drop_in_flight",
        "UserAndOrders was dropped while waiting for the orders; the orders future's drop() "
        f"was called {fetch_orders.future.drops} times instead of once.",
    )
    expect(
        fetch_user.future.drops == 0,
        "drop_in_flight",
        "UserAndOrders was dropped while waiting for the orders, and drop() was also called "
        "on the user future, which had already finished.",
    )


# --- 2. Select -------------------------------------------------------------------------------


def race(
    left_pending: int | None, right_pending: int | None, misuse: str = "select"
) -> tuple[Future[Any], ScriptedFuture[Any], ScriptedFuture[Any]]:
    left = scripted("L", left_pending, "the left future", misuse)
    right = scripted("R", right_pending, "the right future", misuse)
    return stage.Select(left, right), left, right


def expect_right_polled(right: ScriptedFuture[Any], result: Poll[Any], when: str) -> None:
    if result is Pending and right.polls == 0:
        fail(
            "select_one_side",
            f"{when}, Select returned Pending without ever polling the right future: a select "
            "that only polls one side can never notice the other one finishing.",
        )


@pytest.mark.hint("select")
def test_select_returns_the_side_that_finished() -> None:
    select, _, _ = race(left_pending=0, right_pending=FOREVER)
    result = track(select, "select", "Select").poll()
    expect(
        result == Ready(stage.Left("L")),
        "select",
        f"The left future was ready at once, but Select's first poll returned {result!r} "
        "instead of Ready(Left('L')).",
    )

    select, _, right = race(left_pending=FOREVER, right_pending=0)
    result = track(select, "select", "Select").poll()
    expect_right_polled(right, result, "The right future was ready at once")
    expect(
        result == Ready(stage.Right("R")),
        "select",
        f"The right future was ready at once, but Select's first poll returned {result!r} "
        "instead of Ready(Right('R')).",
    )

    select, _, right = race(left_pending=FOREVER, right_pending=FOREVER)
    task = track(select, "select", "Select")
    result = task.poll()
    expect_right_polled(right, result, "With both sides Pending")
    expect(result is Pending, "select", f"Both sides were Pending, yet Select returned {result!r}.")
    right.complete()
    expect(
        task.is_woken,
        "select",
        "The right future finished but did not wake the task: it did not hold the waker of "
        "Select's latest poll.",
    )
    result = task.poll()
    expect_right_polled(right, result, "After the right future finished")
    expect(
        result == Ready(stage.Right("R")),
        "select",
        f"The right future finished and woke the task; the next poll returned {result!r} "
        "instead of Ready(Right('R')).",
    )


@pytest.mark.hint("loser_not_dropped")
@pytest.mark.parametrize("winner", ["left", "right"])
def test_select_drops_the_loser_exactly_once(winner: str) -> None:
    if winner == "left":
        select, won, lost = race(left_pending=0, right_pending=FOREVER)
    else:
        select, lost, won = race(left_pending=FOREVER, right_pending=0)
    loser = "right" if winner == "left" else "left"
    poll_once(select)
    expect(
        lost.drops == 1,
        "loser_not_dropped",
        f"The {winner} future won the race; the {loser} future's drop() was called "
        f"{lost.drops} times instead of exactly once.",
    )
    expect(
        won.drops == 0,
        "loser_not_dropped",
        f"The {winner} future won the race and had already finished, yet its drop() was "
        "called: only the loser is cancelled.",
    )


@pytest.mark.hint("select_left_first")
def test_select_is_left_biased() -> None:
    select, _, right = race(left_pending=0, right_pending=0)
    result = poll_once(select)
    expect(
        result == Ready(stage.Left("L")),
        "select_left_first",
        f"Both futures were ready at once; Select returned {result!r} instead of "
        "Ready(Left('L')): the left future must be checked first.",
    )
    expect(
        right.polls == 0,
        "select_left_first",
        "The left future was ready, yet Select polled the right future too: the right "
        "future's Ready value was thrown away.",
    )


@pytest.mark.hint("poll_after_completion")
def test_select_detects_poll_after_completion() -> None:
    select, _, _ = race(left_pending=FOREVER, right_pending=0, misuse="poll_after_completion")
    poll_once(select)
    expect_detects_poll_after_completion(select, "Select")


# --- 3. Join ---------------------------------------------------------------------------------


def pair(
    left_pending: int | None, right_pending: int | None, misuse: str = "join_repoll_finished"
) -> tuple[Future[Any], ScriptedFuture[Any], ScriptedFuture[Any]]:
    left = ScriptedFuture(
        "L", left_pending, self_wake=True, name="the left future", misuse_hint=misuse
    )
    right = ScriptedFuture(
        "R", right_pending, self_wake=True, name="the right future", misuse_hint=misuse
    )
    return stage.Join(left, right), left, right


@pytest.mark.hint("join")
@pytest.mark.parametrize(("left_pending", "right_pending"), [(0, 0), (2, 0), (0, 2), (1, 3)])
def test_join_finishes_with_both_outputs(left_pending: int, right_pending: int) -> None:
    join, _, _ = pair(left_pending, right_pending)
    task = track(join, "join", "Join")
    for _ in range(8):
        result = task.poll()
        if result is not Pending:
            break
        expect(
            task.is_woken,
            "join",
            "Join returned Pending, but neither child woke the task (self-waking children).",
        )
    expect(
        result == Ready(("L", "R")),
        "join",
        f"The children finish after {left_pending} and {right_pending} Pending polls with 'L' "
        f"and 'R'; Join ended with {result!r} instead of Ready(('L', 'R')).",
    )


@pytest.mark.hint("join_sequential")
def test_join_polls_both_children_on_every_poll() -> None:
    join, left, right = pair(FOREVER, FOREVER)
    poll_once(join)
    expect(
        (left.polls, right.polls) == (1, 1),
        "join_sequential",
        f"Join's first poll polled the left future {left.polls}x and the right future "
        f"{right.polls}x; both children must run concurrently, each polled once per poll.",
    )
    poll_once(join)
    expect(
        (left.polls, right.polls) == (2, 2),
        "join_sequential",
        "Join's second poll did not poll each unfinished child once: "
        f"left {left.polls}, right {right.polls} polls in total.",
    )


@pytest.mark.hint("join_repoll_finished")
@pytest.mark.parametrize("slow", ["left", "right"])
def test_join_never_repolls_a_finished_child(slow: str) -> None:
    join, left, right = pair(3 if slow == "left" else 0, 3 if slow == "right" else 0)
    fast = right if slow == "left" else left
    for _ in range(4):
        poll_once(join)
    expect(
        fast.polls == 1,
        "join_repoll_finished",
        f"The {'right' if slow == 'left' else 'left'} future finished on the first poll, but "
        f"Join polled it {fast.polls} times.",
    )


@pytest.mark.hint("poll_after_completion")
def test_join_detects_poll_after_completion() -> None:
    join, _, _ = pair(0, 1, misuse="poll_after_completion")
    poll_once(join)
    poll_once(join)
    expect_detects_poll_after_completion(join, "Join")


# --- 4. CoroutineDriver: how `await` drives a coroutine ---------------------------------------


class Body:
    """An `async def` body awaiting two scripted futures, logging what it sees."""

    def __init__(
        self,
        first_pending: int | None = FOREVER,
        second_pending: int | None = FOREVER,
        misuse: str = "coroutine_driver",
    ) -> None:
        self.first = scripted(2, first_pending, "the first awaited future", misuse)
        self.second = scripted(3, second_pending, "the second awaited future", misuse)
        self.log: list[Any] = []
        self.awaited: list[ScriptedFuture[Any]] = []  # the futures the body reached so far

    async def run(self) -> int:
        self.log.append("started")
        try:
            self.awaited.append(self.first)
            a = await self.first
            self.log.append(("first await gave", a))
            self.awaited.append(self.second)
            b = await self.second
            self.log.append(("second await gave", b))
            return 10 * a + b
        finally:
            self.log.append("cleanup")

    def coroutine(self) -> Coroutine[Any, Any, int]:
        return self.run()


def driver(body: Body) -> Future[Any]:
    coro = body.coroutine()
    try:
        return stage.CoroutineDriver(coro)
    except BaseException:
        coro.close()  # no "never awaited" warning on top of the real failure
        raise


@pytest.mark.hint("coroutine_driver")
def test_driver_runs_the_coroutine_to_its_return_value() -> None:
    body = Body()
    task = track(driver(body), "transition_without_poll", "CoroutineDriver")

    result = step(task, lambda: body.awaited)
    expect(
        result is Pending and body.log == ["started"],
        "coroutine_driver",
        f"The body awaits a Pending future; the first poll returned {result!r} and the body "
        f"logged {body.log!r} (expected Pending, after logging 'started').",
    )
    body.first.complete()
    result = step(task, lambda: body.awaited)
    expect(
        ("first await gave", 2) in body.log,
        "coroutine_driver",
        f"The first awaited future finished with 2, but the body logged {body.log!r}: "
        "`await` must evaluate to the value of Ready (send it into the coroutine).",
    )
    expect(
        result is Pending,
        "coroutine_driver",
        f"The second awaited future is still Pending, yet the poll returned {result!r}.",
    )
    body.second.complete()
    result = step(task, lambda: body.awaited)
    expect(
        result == Ready(23),
        "coroutine_driver",
        f"The body returns 10 * 2 + 3, but the last poll returned {result!r} instead of "
        "Ready(23): the return value travels in StopIteration.value.",
    )


@pytest.mark.hint("not_lazy")
def test_driver_is_lazy() -> None:
    body = Body()
    future = driver(body)
    expect(
        body.log == [],
        "not_lazy",
        f"Creating CoroutineDriver(coro) already ran the body (it logged {body.log!r}) before "
        "anyone polled it.",
    )
    future.drop()


@pytest.mark.hint("transition_without_poll")
def test_driver_polls_each_awaited_future_in_the_same_poll() -> None:
    body = Body(first_pending=0, second_pending=0)
    result = poll_once(driver(body))
    if result is Pending:
        fail(
            "transition_without_poll",
            "The body awaits two futures that are ready at once, yet the first poll returned "
            f"Pending (first polled {body.first.polls}x, second polled {body.second.polls}x).",
        )
    expect(
        result == Ready(23),
        "coroutine_driver",
        f"The body awaits two futures that are ready at once; the first poll returned {result!r} "
        "instead of Ready(23).",
    )


@pytest.mark.hint("poll_after_completion")
def test_driver_detects_poll_after_completion() -> None:
    future = driver(Body(first_pending=0, second_pending=0, misuse="poll_after_completion"))
    poll_once(future)
    expect_detects_poll_after_completion(future, "CoroutineDriver")


@pytest.mark.hint("drop_in_flight")
def test_dropping_the_driver_cancels_the_body() -> None:
    body = Body()
    future = driver(body)
    poll_once(future)
    future.drop()
    expect(
        body.first.drops == 1,
        "drop_in_flight",
        "CoroutineDriver was dropped while the body awaited a Pending future; that future's "
        f"drop() was called {body.first.drops} times instead of once.",
    )
    expect(
        body.log == ["started", "cleanup"],
        "drop_in_flight",
        f"After drop() the body logged {body.log!r}: its `finally:` block never ran, so the "
        "coroutine was not closed.",
    )

    body = Body()
    coro = body.coroutine()
    try:
        stage.CoroutineDriver(coro).drop()
        state = inspect.getcoroutinestate(coro)
    finally:
        coro.close()
    expect(
        state == inspect.CORO_CLOSED and body.log == [],
        "drop_in_flight",
        "CoroutineDriver was dropped before its first poll: the coroutine must be closed "
        f"without running (its state is {state}, the body logged {body.log!r}).",
    )
