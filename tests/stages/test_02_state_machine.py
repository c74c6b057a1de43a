"""Stage 02: a hand-written `async fn` state machine, `Select`, `Join`, and a coroutine driver.

Order matters: basic behaviour of each piece first, then one test per mistake, so the first
failure names the mistake (see tests/mutants/m02_state_machine.py). The inner futures are
scripted, and the `fetch_*` callables refuse a second call, so a re-created inner future or
a re-polled finished child is caught the moment it happens, with its own hint.

Within each piece: what it computes, laziness, the rules of its docstring, poll after
completion, falsy outputs, drop (and drop after the end), then exceptions (a child's
exception comes out; afterwards the future is over and what still ran was dropped).
Last, for all four: the children are polled with the latest waker, from this poll's
Context, and a Pending poll neither drops a child nor ends the future. `step()` checks the
last two on every poll of the basic tests too, so those mistakes are named where they
first show.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from kit import HintedFailure, ManualTask, ScriptedFuture, expect, fail, load_stage, poll_once
from kit.moving import UseAfterMove, move, refers_back
from kit.raising_02 import Boom, RaisingFuture, expired
from stdtask import Future, Pending, Poll, PolledAfterCompletion, Ready, TodoError

stage = load_stage("02_state_machine", "state_machine")

FOREVER = None  # ScriptedFuture(pending=FOREVER): Pending until the test calls complete()
FALSY = [None, 0, "", []]  # outputs like any other: none of them means "not ready"
FALSY_PAIRS = [(None, 0), (0, ""), ("", []), ([], None)]


def scripted(
    value: Any, pending: int | None, name: str, misuse: str, *, self_wake: bool = False
) -> ScriptedFuture[Any]:
    """A leaf future; polling it after Ready or after drop fails with hint `misuse`."""
    return ScriptedFuture(value, pending, self_wake=self_wake, name=name, misuse_hint=misuse)


def raising(boom: Boom, pending: int | None, name: str, misuse: str) -> RaisingFuture:
    """A leaf future that raises `boom` after `pending` Pending polls."""
    return RaisingFuture(boom, pending, name=name, misuse_hint=misuse)


class Once:
    """`fetch_user` / `fetch_orders`: returns its future on the first call, fails on a second.

    With `error`, the first call raises it instead (the call itself fails).
    """

    def __init__(
        self,
        name: str,
        future: Future[Any] | None,
        *,
        error: BaseException | None = None,
        again_hint: str = "recreated_inner_future",
    ) -> None:
        self.name = name
        self.future = future
        self.error = error
        self.again_hint = again_hint
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> Future[Any]:
        if self.calls and self.error is not None:
            fail(
                self.again_hint,
                f"{self.name}() raised {self.error!r} on its first call, and was called again "
                "on a later poll: after an exception the body is over.",
            )
        if self.calls:
            fail(
                self.again_hint,
                f"{self.name}() was called a second time, on a later poll: the future it made "
                "the first time (and its progress, and its waker) was thrown away and a new "
                "one started from scratch.",
            )
        self.calls.append(args)
        if self.error is not None:
            raise self.error
        return cast(Future[Any], self.future)


def user_and_orders(
    user_pending: int | None = FOREVER,
    orders_pending: int | None = FOREVER,
    misuse: str = "state_machine",
    user: Any = "ada",
    orders: Any = ("book", "lamp"),
) -> tuple[Future[Any], Once, Once]:
    user_future = scripted(user, user_pending, "the user future", misuse)
    orders_future = scripted(
        list(orders) if isinstance(orders, tuple) else orders,
        orders_pending,
        "the orders future",
        misuse,
    )
    fetch_user = Once("fetch_user", user_future)
    fetch_orders = Once("fetch_orders", orders_future)
    return stage.UserAndOrders(fetch_user, fetch_orders), fetch_user, fetch_orders


def scripted_of(fetch: Once) -> ScriptedFuture[Any]:
    """The scripted future `fetch` hands out (for the type checker: it is one)."""
    return cast(ScriptedFuture[Any], fetch.future)


def made(*fetches: Once) -> Callable[[], list[Future[Any]]]:
    """The inner futures that `fetches` have handed out so far."""
    return lambda: [fetch.future for fetch in fetches if fetch.calls and fetch.future is not None]


def track(future: Future[Any], waker_hint: str, what: str) -> ManualTask[Any]:
    """A ManualTask whose lost-waker failure carries `waker_hint`.

    Here an unheld latest waker means a new inner future was never polled: the only old
    waker still held is the one a finished inner future kept. An old waker held instead of
    the new one means the children were polled with a waker of an earlier poll.
    """
    return ManualTask(future, lost_waker_hint=waker_hint, stale_waker_hint="stale_waker", what=what)


def step(task: ManualTask[Any], children: Callable[[], list[Any]]) -> Poll[Any]:
    """`task.poll()`, explaining a lost waker by what the children were given, or not given.

    `children()` lists the inner futures the code under test has created (or awaited) so far.
    A poll that returns Pending must not have dropped any of them (they are still running),
    nor may a later poll find the future finished.
    """
    never_ready = task.result is None or task.result is Pending
    try:
        result = task.poll()
    except HintedFailure as lost:
        explain_lost_waker(task, children, lost)
        raise
    except PolledAfterCompletion as error:
        if not never_ready:
            raise
        fail(
            "ended_while_running",
            f"Poll #{task.polls} of {task.what} raised PolledAfterCompletion({error}), but "
            f"{task.what} had never returned Ready (its earlier polls returned Pending): it "
            "took itself for finished while it was still running.",
        )
    expect_nothing_dropped_by(result, task, children)
    return result


def expect_nothing_dropped_by(
    result: Poll[Any], task: ManualTask[Any], children: Callable[[], list[Any]]
) -> None:
    dropped = [f.name for f in children() if f.dropped]
    if result is Pending and dropped:
        fail(
            "ended_while_running",
            f"Poll #{task.polls} of {task.what} returned Pending, and yet {' and '.join(dropped)} "
            f"had been dropped, although {task.what} itself was not dropped and no child "
            "raised: it is still running and still needs its children.",
        )


def explain_lost_waker(
    task: ManualTask[Any], children: Callable[[], list[Any]], lost: HintedFailure
) -> None:
    """Re-fail `task`'s lost or stale waker failure with what the children show, if they do."""
    if lost.hint not in (task.lost_waker_hint, task.stale_waker_hint):
        return
    expect_nothing_dropped_by(Pending, task, children)
    kept = [f.name for f in children() if expired(getattr(f, "waker", None))]
    if kept:
        fail(
            "context_outlived_poll",
            f"Poll #{task.polls} of {task.what} polled {' and '.join(kept)} with a Context "
            "whose poll had already returned (a Context kept from an earlier poll): the "
            "waker inside it belongs to nobody, so nothing can wake this task again.",
        )
    if task.lost_waker_hint != "transition_without_poll":
        return
    unpolled = [f.name for f in children() if f.polls == 0 and not f.dropped]
    if lost.hint == task.stale_waker_hint and not unpolled:
        return  # every child was polled, but one kept an old waker: stale_waker
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


def drop_hint(drops: int, missing: str) -> str:
    """The hint for a future dropped `drops` times instead of once: too few or too many."""
    return missing if drops < 1 else "drop_twice"


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (0 is not False, [] is not ())."""
    return repr(a) == repr(b) and a == b


def expect_detects_poll_after_completion(
    future: Future[Any],
    what: str,
    hint: str = "poll_after_completion",
    after: str = "it returned Ready",
) -> None:
    """Poll `future` once more (it has finished: `after` says how); it must raise."""
    try:
        result = poll_once(future)
    except PolledAfterCompletion:
        return
    except HintedFailure as misuse:
        if misuse.hint != hint:
            raise
        fail(
            hint,
            f"{what} was polled again after {after} and, instead of raising "
            f"PolledAfterCompletion, went on as if it had not finished: {misuse.message}",
        )
    except TodoError:
        raise
    except Exception as error:
        fail(
            hint,
            f"{what} was polled again after {after} and raised "
            f"{type(error).__name__}({error}) instead of PolledAfterCompletion.",
        )
    fail(
        hint,
        f"{what} was polled again after {after} and answered {result!r} instead of raising "
        "PolledAfterCompletion.",
    )


def expect_ready(result: Poll[Any], hint: str, message: str) -> Any:
    if not isinstance(result, Ready):
        fail(hint, message)
    return result.value


# --- Exceptions: the same checks for all four futures ----------------------------------------


@dataclass
class Raise:
    """One place a child raises: the future, the child's exception, what to check afterwards."""

    future: Future[Any]
    what: str  # "Select", "Join", ...
    boom: Boom
    who: str  # which child raises ("the left future")
    when: str  # and when ("on the first poll")
    before: int  # Pending polls before the poll that raises
    # the other children: dropped once if still running then, never if they had finished
    others: list[Any] = field(default_factory=list)
    raiser: Any = None  # the child that raised: dropped at most once, never polled again
    body: Body | None = None  # CoroutineDriver: the body's log must show its cleanup ran

    @property
    def event(self) -> str:
        return f"{self.who} raised {self.boom!r} {self.when}"

    @property
    def sentence(self) -> str:  # the same, starting a sentence
        return "T" + self.event[1:] if self.event.startswith("the ") else self.event


def caused_by(error: BaseException, boom: Boom) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if current is boom:
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def run_to_the_raise(case: Raise) -> None:
    """Poll through the Pending polls, then the poll where a child raises: `boom` comes out."""
    for n in range(1, case.before + 1):
        result = poll_once(case.future)
        if result is not Pending:
            fail(
                "exception_lost",
                f"{case.what}'s poll #{n} returned {result!r}, before {case.event}: a child "
                "was still running, so the answer should have been Pending.",
            )
    try:
        result = poll_once(case.future)
    except Boom as error:
        if error is case.boom:
            return
        raise
    except (HintedFailure, TodoError):
        raise
    except BaseException as error:
        if caused_by(error, case.boom):
            fail(
                "exception_lost",
                f"{case.sentence}, inside {case.what}.poll(); it came out as "
                f"{type(error).__name__}({error}) instead of the child's own exception.",
            )
        raise
    fail(
        "exception_lost",
        f"{case.sentence}, inside {case.what}.poll(), but that poll returned {result!r}: the "
        f"exception was swallowed, so whoever awaits {case.what} never learns that it failed.",
    )


def expect_cleaned_up(case: Raise, when: str) -> None:
    for child in case.others:
        if child.finished:
            expect(
                child.drops == 0,
                "unwind_cleanup",
                f"{case.sentence}; {when}, {child.name}, which had already "
                "finished, had been dropped: a finished future has nothing to cancel.",
            )
        else:
            expect(
                child.drops == 1,
                "unwind_cleanup",
                f"{case.sentence}; {when}, {child.name}, which was still "
                f"running, had been dropped {child.drops} times instead of once.",
            )
    if case.raiser is not None:
        expect(
            case.raiser.drops <= 1,
            "unwind_cleanup",
            f"{case.sentence}; {when}, it had been dropped "
            f"{case.raiser.drops} times: a future is dropped at most once.",
        )


def expect_over_after_raise(case: Raise) -> None:
    """After the raise: what still ran was dropped, a later poll raises, drop() drops nothing."""
    try:
        run_to_the_raise(case)
    except Boom as error:
        if error is not case.boom:
            raise
    expect_cleaned_up(case, "when that exception came out")
    if case.body is not None:
        expect(
            "cleanup" in case.body.log,
            "unwind_cleanup",
            f"{case.sentence} and it came out of CoroutineDriver.poll(), but "
            f"the body was left suspended: its `finally:` block never ran (the body logged "
            f"{case.body.log!r}).",
        )
    expect_detects_poll_after_completion(
        case.future,
        case.what,
        "unwind_cleanup",
        after=case.event,
    )
    case.future.drop()
    expect_cleaned_up(case, f"after a later {case.what}.drop()")


# --- 1. UserAndOrders: the state machine -----------------------------------------------------


@pytest.mark.hint("state_machine")
def test_user_and_orders_runs_both_awaits_and_returns_both_results() -> None:
    future, fetch_user, fetch_orders = user_and_orders()
    user, orders = scripted_of(fetch_user), scripted_of(fetch_orders)
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
    third = step(task, created)  # a spurious poll: nothing changed
    expect(
        third is Pending,
        "state_machine",
        f"A spurious poll while the orders future was still Pending returned {third!r}.",
    )

    orders.complete()
    fourth = step(task, created)
    expect(
        fourth == Ready(("ada", ["book", "lamp"])),
        "state_machine",
        "Both inner futures finished ('ada', then ['book', 'lamp']), but the last poll returned "
        f"{fourth!r} instead of Ready(('ada', ['book', 'lamp'])).",
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
        user, orders = scripted_of(fetch_user), scripted_of(fetch_orders)
        if not fetch_user.calls:
            what = "fetch_user() was not even called"
        elif user.polls == 0:
            what = "the user future was created but not polled in that poll"
        elif not fetch_orders.calls:
            what = "the user future was Ready, but fetch_orders() was not called in that poll"
        elif orders.polls == 0:
            what = "the orders future was created but not polled in that poll"
        else:
            what = "both inner futures were polled and Ready"
        fail(
            "transition_without_poll",
            "fetch_user() and fetch_orders() both return futures that are ready at once, yet "
            f"the first poll returned Pending ({what}).",
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
        bool(fetch_orders.calls),
        "transition_without_poll",
        "The user future became Ready on the second poll, but that poll did not call "
        "fetch_orders('ada'): the body stopped at the transition.",
    )
    orders_polls = scripted_of(fetch_orders).polls
    expect(
        orders_polls == 1,
        "transition_without_poll",
        "The user future became Ready on the second poll, which created the orders future but "
        f"polled it {orders_polls} times in that same poll instead of once.",
    )


@pytest.mark.hint("recreated_inner_future")
def test_each_inner_future_is_created_once_and_polled_until_ready() -> None:
    future, fetch_user, fetch_orders = user_and_orders()
    user, orders = scripted_of(fetch_user), scripted_of(fetch_orders)
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
    result = poll_once(future)
    expect_ready(
        result,
        "state_machine",
        f"Both inner futures were ready at once, but the first poll returned {result!r}.",
    )
    expect_detects_poll_after_completion(future, "UserAndOrders")


@pytest.mark.hint("falsy_output")
def test_user_and_orders_passes_falsy_results() -> None:
    for user, orders in FALSY_PAIRS:
        for pending in (0, 1):
            user_and_orders_with_falsy_results(user, orders, pending)


def user_and_orders_with_falsy_results(user: Any, orders: Any, pending: int) -> None:
    future, _, fetch_orders = user_and_orders(pending, pending, "falsy_output", user, orders)
    result: Poll[Any] = Pending
    for _ in range(2 * pending + 1):
        result = poll_once(future)
        if result is not Pending:
            break
    expected = Ready((user, orders))
    expect(
        fetch_orders.calls == [(user,)] and same(fetch_orders.calls[0][0], user),
        "falsy_output",
        f"The user future finished with {user!r}: fetch_orders({user!r}) should have been "
        f"called once, but the calls were {fetch_orders.calls!r}.",
    )
    expect(
        same(result, expected),
        "falsy_output",
        f"The user future finished with {user!r} and the orders future with {orders!r} (each "
        f"after {pending} Pending polls); UserAndOrders ended with {result!r} instead of "
        f"{expected!r}.",
    )
    expect_detects_poll_after_completion(
        future, "UserAndOrders", "falsy_output", after=f"it returned {result!r}"
    )


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
    user_drops = scripted_of(fetch_user).drops
    expect(
        user_drops == 1,
        drop_hint(user_drops, "drop_in_flight"),
        "UserAndOrders was dropped while waiting for the user; the user future's drop() was "
        f"called {user_drops} times instead of once.",
    )

    future, fetch_user, fetch_orders = user_and_orders(user_pending=0)
    poll_once(future)
    future.drop()
    orders_drops = scripted_of(fetch_orders).drops
    expect(
        orders_drops == 1,
        drop_hint(orders_drops, "drop_in_flight"),
        "UserAndOrders was dropped while waiting for the orders; the orders future's drop() "
        f"was called {orders_drops} times instead of once.",
    )
    expect(
        scripted_of(fetch_user).drops == 0,
        "drop_twice",
        "UserAndOrders was dropped while waiting for the orders, and drop() was also called "
        "on the user future, which had already finished.",
    )


@pytest.mark.hint("drop_twice")
def test_user_and_orders_drops_nothing_once_done() -> None:
    for state, user_pending in (("the user", FOREVER), ("the orders", 0)):
        future, fetch_user, fetch_orders = user_and_orders(user_pending=user_pending)
        poll_once(future)
        future.drop()
        future.drop()
        inner = scripted_of(fetch_user if user_pending is FOREVER else fetch_orders)
        expect(
            inner.drops == 1,
            "drop_twice",
            f"UserAndOrders was dropped twice while waiting for {state}; that inner future's "
            f"drop() was called {inner.drops} times instead of once: after the first drop() "
            "the state machine is Done.",
        )

    future, fetch_user, fetch_orders = user_and_orders(user_pending=0, orders_pending=0)
    result = poll_once(future)
    expect_ready(
        result,
        "state_machine",
        f"Both inner futures were ready at once, but the first poll returned {result!r}.",
    )
    future.drop()
    dropped = [f.name for f in map(scripted_of, (fetch_user, fetch_orders)) if f.drops]
    expect(
        not dropped,
        "drop_twice",
        f"UserAndOrders returned {result!r} and was then dropped; drop() dropped "
        f"{' and '.join(dropped)}, which had already finished: after Ready nothing is alive.",
    )


def user_and_orders_raising(place: str) -> Raise:
    """UserAndOrders where one step of the body raises (at `place`)."""
    boom = Boom("boom")
    misuse = "unwind_cleanup"

    def fetch(name: str, future: Future[Any] | None, error: Boom | None = None) -> Once:
        return Once(name, future, error=error, again_hint=misuse)

    user: Any = scripted("ada", 0, "the user future", misuse)
    orders: Any = scripted(["book"], FOREVER, "the orders future", misuse)
    fetch_user, fetch_orders = fetch("fetch_user", user), fetch("fetch_orders", orders)
    before, raiser = 0, None
    if place == "fetch_user":
        fetch_user = fetch("fetch_user", None, boom)
        who, when = "fetch_user()", "on the first poll"
    elif place.startswith("user"):
        before = 1 if place == "user_later" else 0
        user = raising(boom, before, "the user future", misuse)
        fetch_user, raiser = fetch("fetch_user", user), user
        who, when = "the user future", f"on {'a later' if before else 'its first'} poll"
    elif place == "fetch_orders":
        fetch_orders = fetch("fetch_orders", None, boom)
        who, when = "fetch_orders('ada')", "in the poll where the user arrived"
    else:
        later = place == "orders_later"
        orders = raising(boom, 1 if later else 0, "the orders future", misuse)
        user = scripted("ada", 0 if later else 1, "the user future", misuse)
        fetch_user, fetch_orders = fetch("fetch_user", user), fetch("fetch_orders", orders)
        before, raiser = 1, orders
        who = "the orders future"
        when = "on a later poll" if later else "in the poll that created it"
    return Raise(
        stage.UserAndOrders(fetch_user, fetch_orders),
        "UserAndOrders",
        boom,
        who,
        when,
        before,
        others=[user] if user is not raiser and place != "fetch_user" else [],
        raiser=raiser,
    )


STATE_MACHINE_RAISES = ["fetch_user", "user_first", "user_later", "fetch_orders", "orders_first",
                        "orders_later"]


@pytest.mark.hint("exception_lost")
def test_user_and_orders_lets_a_child_exception_out() -> None:
    for place in STATE_MACHINE_RAISES:
        run_to_the_raise(user_and_orders_raising(place))


@pytest.mark.hint("unwind_cleanup")
def test_user_and_orders_is_over_after_a_child_exception() -> None:
    for place in STATE_MACHINE_RAISES:
        expect_over_after_raise(user_and_orders_raising(place))


# --- 2. Select -------------------------------------------------------------------------------


def race(
    left_pending: int | None,
    right_pending: int | None,
    misuse: str = "select",
    left_value: Any = "L",
    right_value: Any = "R",
) -> tuple[Future[Any], ScriptedFuture[Any], ScriptedFuture[Any]]:
    left = scripted(left_value, left_pending, "the left future", misuse)
    right = scripted(right_value, right_pending, "the right future", misuse)
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
    select, left, right = race(left_pending=0, right_pending=FOREVER)
    result = step(track(select, "select", "Select"), lambda: [left, right])
    expect(
        result == Ready(stage.Left("L")),
        "select",
        f"The left future was ready at once, but Select's first poll returned {result!r} "
        "instead of Ready(Left('L')).",
    )

    select, left, right = race(left_pending=FOREVER, right_pending=0)
    result = step(track(select, "select", "Select"), lambda: [left, right])
    expect_right_polled(right, result, "The right future was ready at once")
    expect(
        result == Ready(stage.Right("R")),
        "select",
        f"The right future was ready at once, but Select's first poll returned {result!r} "
        "instead of Ready(Right('R')).",
    )

    select, left, right = race(left_pending=FOREVER, right_pending=FOREVER)
    task = track(select, "select", "Select")
    for n in (1, 2):  # the second poll is spurious: nothing changed
        result = step(task, lambda: [left, right])
        expect_right_polled(right, result, "With both sides Pending")
        expect(
            result is Pending,
            "select",
            f"Both sides were Pending, yet Select's poll #{n} returned {result!r}.",
        )
    right.complete()
    expect(
        task.is_woken,
        "select",
        "The right future finished but did not wake the task: it did not hold the waker of "
        "Select's latest poll.",
    )
    result = step(task, lambda: [left, right])
    expect_right_polled(right, result, "After the right future finished")
    expect(
        result == Ready(stage.Right("R")),
        "select",
        f"The right future finished and woke the task; the next poll returned {result!r} "
        "instead of Ready(Right('R')).",
    )


@pytest.mark.hint("not_lazy")
def test_select_is_lazy() -> None:
    select, left, right = race(left_pending=0, right_pending=0)
    expect(
        left.polls == 0 and right.polls == 0,
        "not_lazy",
        f"Creating Select(left, right) already polled the left future {left.polls}x and the "
        f"right future {right.polls}x, before anyone polled the Select.",
    )
    result = poll_once(select)
    expect(
        isinstance(result, Ready) and left.polls == 1,
        "select",
        f"Both children were ready at once; the first poll of Select polled the left future "
        f"{left.polls}x and returned {result!r}.",
    )


@pytest.mark.hint("loser_not_dropped")
@pytest.mark.parametrize("pending", [0, 1], ids=["first_poll", "later_poll"])
@pytest.mark.parametrize("winner", ["left", "right"])
def test_select_drops_the_loser_exactly_once(winner: str, pending: int) -> None:
    if winner == "left":
        select, won, lost = race(left_pending=pending, right_pending=FOREVER)
    else:
        select, lost, won = race(left_pending=FOREVER, right_pending=pending)
    loser = "right" if winner == "left" else "left"
    for _ in range(pending):
        poll_once(select)
    result = poll_once(select)
    expect_ready(
        result,
        "select",
        f"The {winner} future finished on poll #{pending + 1}, but Select's poll #{pending + 1} "
        f"returned {result!r}.",
    )
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
    result = poll_once(select)
    expect_ready(
        result, "select", f"The right future was ready at once, but Select returned {result!r}."
    )
    expect_detects_poll_after_completion(select, "Select")


@pytest.mark.hint("falsy_output")
def test_select_returns_a_falsy_winner() -> None:
    for value in FALSY:
        for winner in ("left", "right"):
            for pending in (0, 1):
                select_with_falsy_winner(value, winner, pending)


def select_with_falsy_winner(value: Any, winner: str, pending: int) -> None:
    if winner == "left":
        select, won, lost = race(pending, FOREVER, "falsy_output", left_value=value)
        expected = Ready(stage.Left(value))
    else:
        select, lost, won = race(FOREVER, pending, "falsy_output", right_value=value)
        expected = Ready(stage.Right(value))
    result: Poll[Any] = Pending
    for _ in range(pending + 1):
        result = poll_once(select)
    expect(
        same(result, expected),
        "falsy_output",
        f"The {winner} future finished with {value!r} (after {pending} Pending polls); Select "
        f"returned {result!r} instead of {expected!r}.",
    )
    expect(
        lost.drops == 1 and won.drops == 0,
        "falsy_output",
        f"The {winner} future won with {value!r}; the loser was dropped {lost.drops}x (once is "
        f"right) and the winner {won.drops}x (never is right).",
    )
    expect_detects_poll_after_completion(
        select, "Select", "falsy_output", after=f"it returned {result!r}"
    )


@pytest.mark.hint("combinator_drop")
def test_dropping_select_drops_both_sides() -> None:
    for polls in (0, 1):
        select, left, right = race(left_pending=FOREVER, right_pending=FOREVER)
        for _ in range(polls):
            poll_once(select)
        select.drop()
        when = "before its first poll" if polls == 0 else "while both sides were Pending"
        expect(
            (left.drops, right.drops) == (1, 1),
            drop_hint(min(left.drops, right.drops), "combinator_drop"),
            f"Select was dropped {when}; the left future's drop() was called {left.drops}x and "
            f"the right future's {right.drops}x, instead of once each: an abandoned race "
            "cancels both sides.",
        )


@pytest.mark.hint("drop_twice")
def test_select_drops_nothing_once_the_race_is_over() -> None:
    for winner in ("left", "right"):
        if winner == "left":
            select, won, lost = race(left_pending=0, right_pending=FOREVER, misuse="drop_twice")
        else:
            select, lost, won = race(left_pending=FOREVER, right_pending=0, misuse="drop_twice")
        result = poll_once(select)
        expect_ready(
            result, "select", f"The {winner} future was ready at once; Select returned {result!r}."
        )
        select.drop()
        expect(
            lost.drops == 1 and won.drops == 0,
            "drop_twice",
            f"Select returned {result!r} (the loser was dropped then), and was dropped "
            f"afterwards: the loser's drop() has now been called {lost.drops}x and the winner's "
            f"{won.drops}x. After the race nothing is left to drop: a loser is dropped once, a "
            "winner never.",
        )

    select, left, right = race(left_pending=FOREVER, right_pending=FOREVER, misuse="drop_twice")
    poll_once(select)
    select.drop()
    select.drop()
    expect(
        (left.drops, right.drops) == (1, 1),
        "drop_twice",
        f"Select was dropped twice while both sides were Pending; the left future's drop() was "
        f"called {left.drops}x and the right future's {right.drops}x, instead of once each.",
    )


def select_raising(place: str) -> Raise:
    boom = Boom("boom")
    side, when, *other_ready = place.split("_")
    before = 1 if when == "later" else 0
    misuse = "unwind_cleanup"
    name = f"the {side} future"
    raiser = raising(boom, before, name, misuse)
    other_name = f"the {'right' if side == 'left' else 'left'} future"
    other = scripted("other", 0 if other_ready else FOREVER, other_name, misuse)
    left, right = (raiser, other) if side == "left" else (other, raiser)
    when = f"on {'a later' if before else 'the first'} poll"
    if other_ready:
        when += f", while {other_name} was ready at once"
    return Raise(stage.Select(left, right), "Select", boom, name, when, before, [other], raiser)


# left_first_ready: the right side could have won, but the left side's exception comes first
SELECT_RAISES = ["left_first", "left_later", "right_first", "right_later", "left_first_ready"]


@pytest.mark.hint("exception_lost")
def test_select_lets_a_child_exception_out() -> None:
    for place in SELECT_RAISES:
        run_to_the_raise(select_raising(place))


@pytest.mark.hint("unwind_cleanup")
def test_select_is_over_after_a_child_exception() -> None:
    for place in SELECT_RAISES:
        expect_over_after_raise(select_raising(place))


# --- 3. Join ---------------------------------------------------------------------------------


def pair(
    left_pending: int | None,
    right_pending: int | None,
    misuse: str = "join_repoll_finished",
    left_value: Any = "L",
    right_value: Any = "R",
    self_wake: bool = True,
) -> tuple[Future[Any], ScriptedFuture[Any], ScriptedFuture[Any]]:
    left = scripted(left_value, left_pending, "the left future", misuse, self_wake=self_wake)
    right = scripted(right_value, right_pending, "the right future", misuse, self_wake=self_wake)
    return stage.Join(left, right), left, right


@pytest.mark.hint("join")
@pytest.mark.parametrize(("left_pending", "right_pending"), [(0, 0), (2, 0), (0, 2), (1, 3)])
def test_join_finishes_with_both_outputs(left_pending: int, right_pending: int) -> None:
    join, left, right = pair(left_pending, right_pending)
    task = track(join, "join", "Join")
    result: Poll[Any] = Pending
    for _ in range(8):
        result = step(task, lambda: [left, right])
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


@pytest.mark.hint("not_lazy")
def test_join_is_lazy() -> None:
    join, left, right = pair(0, 0)
    expect(
        left.polls == 0 and right.polls == 0,
        "not_lazy",
        f"Creating Join(left, right) already polled the left future {left.polls}x and the "
        f"right future {right.polls}x, before anyone polled the Join.",
    )
    result = poll_once(join)
    expect(
        isinstance(result, Ready) and left.polls == 1,
        "join",
        f"Both children were ready at once; the first poll of Join polled the left future "
        f"{left.polls}x and returned {result!r}.",
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
    result = poll_once(join)
    expect_ready(
        result,
        "join",
        f"Both children had finished by the second poll, but Join returned {result!r}.",
    )
    expect_detects_poll_after_completion(join, "Join")


@pytest.mark.hint("falsy_output")
def test_join_keeps_falsy_outputs() -> None:
    for left_value, right_value in FALSY_PAIRS:
        for slow in ("left", "right"):
            join_with_falsy_outputs(left_value, right_value, slow)


def join_with_falsy_outputs(left_value: Any, right_value: Any, slow: str) -> None:
    join, _, _ = pair(
        1 if slow == "left" else 0,
        1 if slow == "right" else 0,
        "falsy_output",
        left_value,
        right_value,
    )
    first = poll_once(join)
    expect(
        first is Pending,
        "falsy_output",
        f"The {slow} child was still Pending, yet Join's first poll returned {first!r}.",
    )
    result = poll_once(join)
    expected = Ready((left_value, right_value))
    expect(
        same(result, expected),
        "falsy_output",
        f"The left child finished with {left_value!r} and the right child with "
        f"{right_value!r} (the {slow} one a poll later); Join's second poll returned "
        f"{result!r} instead of {expected!r}.",
    )
    expect_detects_poll_after_completion(join, "Join", "falsy_output", after=f"it returned {result!r}")


@pytest.mark.hint("combinator_drop")
def test_dropping_join_drops_its_running_children() -> None:
    for polls in (0, 1):
        join, left, right = pair(FOREVER, FOREVER, self_wake=False)
        for _ in range(polls):
            poll_once(join)
        join.drop()
        when = "before its first poll" if polls == 0 else "while both children were Pending"
        expect(
            (left.drops, right.drops) == (1, 1),
            drop_hint(min(left.drops, right.drops), "combinator_drop"),
            f"Join was dropped {when}; the left future's drop() was called {left.drops}x and "
            f"the right future's {right.drops}x, instead of once each: an abandoned join "
            "cancels the children still running.",
        )
    for done in ("left", "right"):
        join, left, right = pair(
            0 if done == "left" else FOREVER, 0 if done == "right" else FOREVER, self_wake=False
        )
        poll_once(join)
        join.drop()
        running = right if done == "left" else left
        expect(
            running.drops == 1,
            drop_hint(running.drops, "combinator_drop"),
            f"Join was dropped after the {done} child had finished; {running.name}, still "
            f"running, was dropped {running.drops}x instead of once.",
        )


@pytest.mark.hint("drop_twice")
def test_join_never_drops_a_finished_child_or_twice() -> None:
    for done in ("left", "right"):
        join, left, right = pair(
            0 if done == "left" else FOREVER,
            0 if done == "right" else FOREVER,
            "drop_twice",
            self_wake=False,
        )
        poll_once(join)
        join.drop()
        finished = left if done == "left" else right
        expect(
            finished.drops == 0,
            "drop_twice",
            f"Join was dropped after the {done} child had finished, and drop() was called on "
            f"that finished child: it only has its output left, nothing to cancel.",
        )

    join, left, right = pair(0, 0, "drop_twice", self_wake=False)
    result = poll_once(join)
    expect_ready(result, "join", f"Both children were ready at once; Join returned {result!r}.")
    join.drop()
    expect(
        (left.drops, right.drops) == (0, 0),
        "drop_twice",
        f"Join returned {result!r} and was then dropped; drop() was called on the left future "
        f"{left.drops}x and on the right future {right.drops}x, which had both finished.",
    )

    join, left, right = pair(FOREVER, FOREVER, "drop_twice", self_wake=False)
    poll_once(join)
    join.drop()
    join.drop()
    expect(
        (left.drops, right.drops) == (1, 1),
        "drop_twice",
        f"Join was dropped twice while both children were Pending; the left future's drop() "
        f"was called {left.drops}x and the right future's {right.drops}x, instead of once each.",
    )


def join_raising(place: str) -> Raise:
    boom = Boom("boom")
    misuse = "unwind_cleanup"
    side, when = place.split("_", 1)
    other_side = "right" if side == "left" else "left"
    before = 0 if when.startswith("first") else 1  # Pending polls before the raise
    other_pending: int | None = 0 if when in ("after_other_finished", "first_other_ready") else FOREVER
    raiser = raising(boom, before, f"the {side} future", misuse)
    other = scripted("other", other_pending, f"the {other_side} future", misuse)
    left, right = (raiser, other) if side == "left" else (other, raiser)
    when = {
        "first": "on the first poll",
        "later": f"on a later poll, while the {other_side} one was still running",
        "after_other_finished": f"on the poll after the {other_side} one had finished",
        # ready at once: polled before the raise or not, it never wins over the error
        "first_other_ready": f"on the first poll, while the {other_side} one was ready at once",
    }[when]
    return Raise(
        stage.Join(left, right), "Join", boom, f"the {side} future", when, before, [other], raiser
    )


JOIN_RAISES = [
    "left_first",
    "right_first",
    "left_later",
    "right_later",
    "left_after_other_finished",
    "right_after_other_finished",
    "left_first_other_ready",
]


@pytest.mark.hint("exception_lost")
def test_join_lets_a_child_exception_out() -> None:
    for place in JOIN_RAISES:
        run_to_the_raise(join_raising(place))


@pytest.mark.hint("unwind_cleanup")
def test_join_is_over_after_a_child_exception() -> None:
    for place in JOIN_RAISES:
        expect_over_after_raise(join_raising(place))


# --- 4. CoroutineDriver: how `await` drives a coroutine ---------------------------------------


class Body:
    """An `async def` body awaiting two scripted futures, logging what it sees."""

    def __init__(
        self,
        first_pending: int | None = FOREVER,
        second_pending: int | None = FOREVER,
        misuse: str = "coroutine_driver",
        *,
        first: Any = None,
        second: Any = None,
        first_value: Any = 2,
        second_value: Any = 3,
        result: Callable[[Any, Any], Any] = lambda a, b: 10 * a + b,
        error_after_first: BaseException | None = None,
    ) -> None:
        self.first = first or scripted(first_value, first_pending, "the first awaited future", misuse)
        self.second = second or scripted(
            second_value, second_pending, "the second awaited future", misuse
        )
        self.result = result
        self.error_after_first = error_after_first
        self.log: list[Any] = []
        self.awaited: list[Any] = []  # the futures the body reached so far

    async def run(self) -> Any:
        self.log.append("started")
        try:
            self.awaited.append(self.first)
            a = await self.first
            self.log.append(("first await gave", a))
            if self.error_after_first is not None:
                raise self.error_after_first
            self.awaited.append(self.second)
            b = await self.second
            self.log.append(("second await gave", b))
            return self.result(a, b)
        finally:
            self.log.append("cleanup")

    def coroutine(self) -> Coroutine[Any, Any, Any]:
        return self.run()


def driver(body: Body) -> Future[Any]:
    coro = body.coroutine()
    try:
        return stage.CoroutineDriver(coro)
    except BaseException:
        coro.close()  # no "never awaited" warning on top of the real failure
        raise


@pytest.mark.hint("coroutine_driver", raises=(StopIteration,))  # `return x` arrives as one
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
    result = step(task, lambda: body.awaited)  # a spurious poll: nothing changed
    expect(
        result is Pending,
        "coroutine_driver",
        f"A spurious poll while the second awaited future was Pending returned {result!r}.",
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


@pytest.mark.hint("coroutine_driver")
def test_driver_resumes_the_body_once_per_await() -> None:
    body = Body()
    future = driver(body)
    for _ in range(4):  # spurious polls: the body stays at its first await
        poll_once(future)
    expect(
        body.log == ["started"] and body.first.polls == 4,
        "coroutine_driver",
        f"CoroutineDriver was polled 4 times while the first awaited future stayed Pending: "
        f"that future was polled {body.first.polls}x (4 expected) and the body logged "
        f"{body.log!r} (only 'started' expected): each poll polls the awaited future again, "
        "without resuming the body.",
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
    result = poll_once(future)
    expect_ready(
        result,
        "coroutine_driver",
        f"The body awaits two futures that are ready at once; the first poll returned {result!r}.",
    )
    expect_detects_poll_after_completion(future, "CoroutineDriver")


@pytest.mark.hint("falsy_output", raises=(IndexError,))  # StopIteration().args is ()
def test_driver_passes_falsy_values() -> None:
    for first_value, second_value in FALSY_PAIRS:
        for pending in (0, 1):
            driver_with_falsy_values(first_value, second_value, pending)


def driver_with_falsy_values(first_value: Any, second_value: Any, pending: int) -> None:
    body = Body(
        pending,
        pending,
        "falsy_output",
        first_value=first_value,
        second_value=second_value,
        result=lambda a, b: b,
    )
    future = driver(body)
    result: Poll[Any] = Pending
    for _ in range(2 * pending + 1):
        result = poll_once(future)
        if result is not Pending:
            break
    gave = [entry[1] for entry in body.log if isinstance(entry, tuple)]
    expect(
        same(gave, [first_value, second_value]),
        "falsy_output",
        f"The awaited futures finished with {first_value!r} and then {second_value!r} (each "
        f"after {pending} Pending polls), but the body's two `await`s gave {gave!r}.",
    )
    expect(
        same(result, Ready(second_value)),
        "falsy_output",
        f"The body returns {second_value!r}, but CoroutineDriver ended with {result!r} instead "
        f"of {Ready(second_value)!r}.",
    )
    expect_detects_poll_after_completion(
        future, "CoroutineDriver", "falsy_output", after=f"it returned {result!r}"
    )


@pytest.mark.hint("drop_in_flight")
def test_dropping_the_driver_cancels_the_body() -> None:
    body = Body()
    future = driver(body)
    poll_once(future)
    future.drop()
    expect(
        body.first.drops == 1,
        drop_hint(body.first.drops, "drop_in_flight"),
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


@pytest.mark.hint("drop_twice")
def test_driver_drops_nothing_once_done() -> None:
    body = Body(misuse="drop_twice")
    future = driver(body)
    poll_once(future)
    future.drop()
    future.drop()
    expect(
        body.first.drops == 1 and body.log.count("cleanup") == 1,
        "drop_twice",
        "CoroutineDriver was dropped twice while the body awaited a Pending future; that "
        f"future's drop() was called {body.first.drops}x (once is right) and the body logged "
        f"{body.log!r}.",
    )

    body = Body(0, 0, "drop_twice")
    future = driver(body)
    result = poll_once(future)
    expect_ready(
        result,
        "coroutine_driver",
        f"The body awaits two futures that are ready at once; the first poll returned {result!r}.",
    )
    future.drop()
    expect(
        body.first.drops == 0 and body.second.drops == 0,
        "drop_twice",
        f"CoroutineDriver returned {result!r} and was then dropped; drop() was called on the "
        f"awaited futures ({body.first.drops}x and {body.second.drops}x), which had finished.",
    )


def driver_raising(place: str) -> Raise:
    boom = Boom("boom")
    misuse = "unwind_cleanup"
    if place.startswith("first_await"):
        before = 1 if place.endswith("later") else 0
        first = raising(boom, before, "the first awaited future", misuse)
        body = Body(misuse=misuse, first=first)
        who, raiser = "the first awaited future", first
        when = "on a later poll" if before else "on the first poll"
    elif place == "second_await":
        second = raising(boom, 1, "the second awaited future", misuse)
        body = Body(0, misuse=misuse, second=second)
        who, when, before, raiser = "the second awaited future", "on a later poll", 1, second
    else:
        body = Body(1, misuse=misuse, error_after_first=boom)
        who, when, before, raiser = "the body itself", "after its first await", 1, None
    return Raise(
        driver(body),
        "CoroutineDriver",
        boom,
        who,
        when,
        before,
        [body.first] if body.first is not raiser else [],
        raiser,
        body,
    )


DRIVER_RAISES = ["first_await", "first_await_later", "second_await", "body"]


@pytest.mark.hint("exception_lost")
def test_driver_lets_an_exception_out() -> None:
    for place in DRIVER_RAISES:
        case = driver_raising(place)
        try:
            run_to_the_raise(case)
        finally:
            case.future.drop()


@pytest.mark.hint("unwind_cleanup")
def test_driver_is_over_after_an_exception() -> None:
    for place in DRIVER_RAISES:
        expect_over_after_raise(driver_raising(place))


# --- 5. All four: the children hold the latest waker, from this poll's Context ----------------


def latest_waker_cases() -> dict[str, Callable[[], tuple[Future[Any], list[Any], Any]]]:
    """future, the inner futures it polls, and the one that will finish and wake."""

    def select(side: str) -> tuple[Future[Any], list[Any], Any]:
        future, left, right = race(FOREVER, FOREVER, "stale_waker")
        return future, [left, right], left if side == "left" else right

    def join(side: str) -> tuple[Future[Any], list[Any], Any]:
        future, left, right = pair(FOREVER, FOREVER, "stale_waker", self_wake=False)
        return future, [left, right], left if side == "left" else right

    def state_machine() -> tuple[Future[Any], list[Any], Any]:
        future, fetch_user, fetch_orders = user_and_orders(misuse="stale_waker")
        return future, [fetch_user.future, fetch_orders.future], fetch_user.future

    def coroutine() -> tuple[Future[Any], list[Any], Any]:
        body = Body(misuse="stale_waker")
        return driver(body), [body.first, body.second], body.first

    return {
        "Select-left": lambda: select("left"),
        "Select-right": lambda: select("right"),
        "Join-left": lambda: join("left"),
        "Join-right": lambda: join("right"),
        "UserAndOrders": state_machine,
        "CoroutineDriver": coroutine,
    }


@pytest.mark.hint("stale_waker")
@pytest.mark.parametrize("case", list(latest_waker_cases()))
def test_children_are_polled_with_the_latest_waker(case: str) -> None:
    future, children, finishing = latest_waker_cases()[case]()
    what = case.split("-")[0]
    task = track(future, "stale_waker", what)
    for n in (1, 2, 3):  # the same task polls three times, a fresh waker each time
        result = step(task, lambda: [c for c in children if c.polls])
        expect(result is Pending, "stale_waker", f"{what}'s poll #{n} returned {result!r}.")
    finishing.complete()
    expect(
        task.is_woken,
        "stale_waker",
        f"{what} was polled 3 times, each time with a new waker; then {finishing.name} finished "
        f"and woke the waker it was given, which was not the waker of {what}'s latest poll.",
    )
    future.drop()


@pytest.mark.hint("ended_while_running")
@pytest.mark.parametrize("case", ["Select-left", "Join-left", "UserAndOrders", "CoroutineDriver"])
def test_a_pending_poll_drops_nothing_and_ends_nothing(case: str) -> None:
    future, children, _ = latest_waker_cases()[case]()
    what = case.split("-")[0]
    task = track(future, "transition_without_poll", what)
    for _ in range(3):
        step(task, lambda: [c for c in children if c.polls])
    future.drop()


# --- 6. All four: movable until the first poll (Rust: Pin) ------------------------------------


@pytest.mark.hint("moved_before_first_poll")
@pytest.mark.parametrize("case", ["Select-right", "Join-left", "UserAndOrders", "CoroutineDriver"])
def test_a_future_can_be_moved_before_its_first_poll(case: str) -> None:
    """Rule 8: `Box::pin(fut)` moves a future once, before its first poll; it must still work."""
    future, children, _ = latest_waker_cases()[case]()
    what = case.split("-")[0]
    moved = move(future, what=what, hint="moved_before_first_poll")
    kept = refers_back(moved, future)  # now: a generator that raised loses its frame
    try:
        task = track(moved, "transition_without_poll", what)
        result = step(task, lambda: [c for c in children if c.polls])
        for _ in range(len(children)):  # finish the children one by one, as they are polled
            if result is not Pending:
                break
            for child in children:
                if child.polls and not child.finished and not child.dropped:
                    child.complete()
            result = step(task, lambda: [c for c in children if c.polls])
    except UseAfterMove as stale:
        where = kept or refers_back(moved, future) or [
            "no field of the new object shows it directly: look for `self` kept in `__init__`"
        ]
        fail(
            "moved_before_first_poll",
            f"The test moved {what} before its first poll, the way Rust's `Box::pin(fut)` or "
            "`spawn(fut)` do: `copy.copy` put its fields into a new object, and the old object "
            f"was never used again. Polling the new one, something {stale.action} the old one: "
            f"{'; '.join(where)}.",
        )
    expect(
        isinstance(result, Ready),
        "moved_before_first_poll",
        f"{what} was moved before its first poll (its fields copied into a new object with "
        f"`copy.copy`); polled until every child had finished, the new object answered "
        f"{result!r} instead of Ready.",
    )
