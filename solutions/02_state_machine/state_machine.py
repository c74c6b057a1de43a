"""Stage 02 — a future state machine: what `async def` compiles to, `select`, `join`, `await`.

The async function we write by hand (Rust: `async fn user_and_orders(..) -> (User, Orders)`):

    async def user_and_orders(fetch_user, fetch_orders):
        user = await fetch_user()            # await point 1
        orders = await fetch_orders(user)    # await point 2: needs the result of point 1
        return (user, orders)
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready

T = TypeVar("T")
U = TypeVar("U")
V = TypeVar("V")
A = TypeVar("A")
B = TypeVar("B")


# -- 1. The state machine of `user_and_orders` ------------------------------------------------
# Rust: enum UserAndOrders { Start { .. }, AwaitingUser { .. }, AwaitingOrders { .. }, Done }
# Each variant holds exactly what is alive at that point of the function body.


@dataclass
class Start(Generic[U, V]):
    """Before the first poll: only the arguments."""

    fetch_user: Callable[[], Future[U]]
    fetch_orders: Callable[[U], Future[V]]


@dataclass
class AwaitingUser(Generic[U, V]):
    """Suspended at `await fetch_user()`."""

    user_future: Future[U]
    fetch_orders: Callable[[U], Future[V]]


@dataclass
class AwaitingOrders(Generic[U, V]):
    """Suspended at `await fetch_orders(user)`; `user` is still in scope."""

    user: U
    orders_future: Future[V]


@dataclass
class Done:
    """Returned `Ready`, or dropped: nothing is alive any more."""


State = Start[U, V] | AwaitingUser[U, V] | AwaitingOrders[U, V] | Done


class UserAndOrders(Future[tuple[U, V]]):
    """`user_and_orders(fetch_user, fetch_orders)` as an explicit state machine."""

    def __init__(
        self, fetch_user: Callable[[], Future[U]], fetch_orders: Callable[[U], Future[V]]
    ) -> None:
        # Calling an async fn runs nothing: it only stores the arguments. Nothing here refers
        # to `self`, so the future may be moved until its first poll (Rust: pinned from then on).
        self.state: State[U, V] = Start(fetch_user, fetch_orders)

    def poll(self, cx: Context) -> Poll[tuple[U, V]]:
        try:
            return self._resume(cx)
        except BaseException:
            # Rust: a panic unwinds through `poll`, and the body is over ("`async fn` resumed
            # after panicking" if polled again): nothing in it will run or be dropped again.
            self.state = Done()
            raise

    def _resume(self, cx: Context) -> Poll[tuple[U, V]]:
        # Rust: `loop { match self.state { .. } }` — after each transition, go round again
        # so the new inner future is polled in this same poll (it must register the waker).
        while True:
            match self.state:
                case Start(fetch_user, fetch_orders):
                    self.state = AwaitingUser(fetch_user(), fetch_orders)
                case AwaitingUser(user_future, fetch_orders):
                    match user_future.poll(cx):
                        case Ready(user):
                            self.state = AwaitingOrders(user, fetch_orders(user))
                        case _:  # Pending
                            return Pending
                case AwaitingOrders(user, orders_future):
                    match orders_future.poll(cx):
                        case Ready(orders):
                            self.state = Done()
                            return Ready((user, orders))
                        case _:  # Pending
                            return Pending
                case Done():
                    raise PolledAfterCompletion("`async fn` resumed after completion")

    def drop(self) -> None:
        # Rust's drop glue drops the fields of the current variant: the in-flight future.
        match self.state:
            case AwaitingUser(user_future, _):
                user_future.drop()
            case AwaitingOrders(_, orders_future):
                orders_future.drop()
        self.state = Done()


# -- 2. select and join ------------------------------------------------------------------------


@dataclass(frozen=True)
class Left(Generic[A]):
    """`select`'s left future finished first with `value` (Rust: `Either::Left`)."""

    value: A


@dataclass(frozen=True)
class Right(Generic[B]):
    """`select`'s right future finished first with `value` (Rust: `Either::Right`)."""

    value: B


class Select(Future[Left[A] | Right[B]]):
    """Race two futures: the first to finish wins, the other is dropped (left-biased)."""

    def __init__(self, left: Future[A], right: Future[B]) -> None:
        self.left = left
        self.right = right
        self.done = False

    def poll(self, cx: Context) -> Poll[Left[A] | Right[B]]:
        if self.done:
            raise PolledAfterCompletion("Select polled after completion")
        try:
            return self._race(cx)
        except BaseException:
            self.drop()  # a side panicked: the race is over, unwinding drops both sides
            raise

    def _race(self, cx: Context) -> Poll[Left[A] | Right[B]]:
        # Left first, and only poll right if left is not ready: a Ready value is never lost.
        # Trade-off: a fixed order, like `select! { biased; .. }`; tokio's default starts at random (fair).
        match self.left.poll(cx):
            case Ready(left_value):
                self.done = True
                self.right.drop()  # the loser is cancelled (Rust: dropped by `select!`)
                return Ready(Left(left_value))
        match self.right.poll(cx):
            case Ready(right_value):
                self.done = True
                self.left.drop()
                return Ready(Right(right_value))
        return Pending  # both were polled, both hold our waker

    def drop(self) -> None:
        # Rust: dropping the Select drops both futures it still owns. Once the race is
        # over, the winner has finished and the loser was dropped already.
        if not self.done:
            self.done = True
            self.left.drop()
            self.right.drop()


class Join(Future[tuple[A, B]]):
    """Run two futures concurrently and finish with both outputs (Rust: `join!`)."""

    def __init__(self, left: Future[A], right: Future[B]) -> None:
        self.left = left
        self.right = right
        # Rust's `MaybeDone`: Pending while the child runs, its Ready(output) once finished.
        self.left_out: Poll[A] = Pending
        self.right_out: Poll[B] = Pending
        self.done = False

    def poll(self, cx: Context) -> Poll[tuple[A, B]]:
        if self.done:
            raise PolledAfterCompletion("Join polled after completion")
        # Trade-off: a wake re-polls every unfinished child, like `join!`; FuturesUnordered polls the woken.
        try:
            if self.left_out is Pending:  # a finished child is never polled again
                self.left_out = self.left.poll(cx)
            if self.right_out is Pending:
                self.right_out = self.right.poll(cx)
        except BaseException:
            self.drop()  # a child panicked: the join is over, unwinding drops the rest
            raise
        match (self.left_out, self.right_out):
            case (Ready(a), Ready(b)):
                self.done = True
                return Ready((a, b))
        return Pending

    def drop(self) -> None:
        # Rust: dropping the join drops its `MaybeDone`s; only a running child has a future.
        if not self.done:
            self.done = True
            if self.left_out is Pending:
                self.left.drop()
            if self.right_out is Pending:
                self.right.drop()


# -- 3. How `await` drives a coroutine ---------------------------------------------------------


class CoroutineDriver(Future[T]):
    """Drive an `async def` coroutine through `poll` (Rust: the generated `poll`)."""

    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self.coro = coro
        self.awaiting: Future[Any] | None = None  # the future the body is suspended on
        self.done = False

    def poll(self, cx: Context) -> Poll[T]:
        if self.done:
            raise PolledAfterCompletion("coroutine resumed after completion")
        try:
            return self._resume(cx)
        except BaseException:
            # A panic unwinds through the body: close the coroutine (its `finally:` blocks
            # run) so nothing stays suspended, and be done.
            self.drop()
            raise

    def _resume(self, cx: Context) -> Poll[T]:
        value: Any = None  # what the body's current `await` evaluates to
        while True:
            if self.awaiting is None:
                try:
                    # Run the body up to its next `await`, which yields the awaited future.
                    self.awaiting = self.coro.send(value)
                except StopIteration as finished:  # `return x` in the body
                    self.done = True
                    return Ready(finished.value)
            match self.awaiting.poll(cx):  # polled at once, in this same poll
                case Ready(value):
                    self.awaiting = None  # resume the body with `value` next time round
                case _:  # Pending
                    return Pending

    def drop(self) -> None:
        # Closing raises GeneratorExit at the `await`; stdtask's Future.__await__ then drops
        # the awaited future — Rust's drop glue for a state machine suspended mid-`.await`.
        if not self.done:
            self.done = True
            self.awaiting = None
            self.coro.close()
