"""Stage 02 — a future state machine: what `async def` compiles to, `select`, `join`, `await`.

Rust's compiler turns every `async fn` into an enum with one variant per `.await` point and a
`poll` that moves from variant to variant. Here you write that by hand for this function
(Rust: `async fn user_and_orders(..) -> (User, Orders)`):

    async def user_and_orders(fetch_user, fetch_orders):
        user = await fetch_user()            # await point 1
        orders = await fetch_orders(user)    # await point 2: needs the result of point 1
        return (user, orders)

then two combinators, `Select` and `Join`, and finally a small driver that runs a real
`async def` coroutine through `poll` — the machinery behind `await`.

The rules every future here follows (Rust's `Future` contract):
1. Lazy: creating the future runs nothing. The body starts on the first `poll`.
2. Each step of the body happens once: an inner future is created once and then polled until
   it is Ready, however many times (and however spuriously) the outer future is polled.
3. After a transition, poll the new inner future in the same `poll`. Only a future you polled
   holds your waker; returning Pending without that means nobody will ever wake the task.
4. Polling again after `Ready` is a bug in the caller: raise `PolledAfterCompletion`.
5. `drop()` (Rust's `Drop`) cancels: drop the inner futures that are still running, each
   exactly once. A future that already finished is never dropped (it has nothing to cancel),
   and a second `drop()`, or a `drop()` after `Ready`, drops nothing.
6. An exception raised by an inner future (or by a call like `fetch_user()`) comes out of
   `poll` unchanged, like a Rust panic unwinding through `poll`. The outer future is then
   over: the inner futures still running are dropped, and a later `poll` raises
   `PolledAfterCompletion`.
7. An output is any value: `Ready(None)`, `Ready(0)`, `Ready("")` are finished futures. Tell
   "finished" from the `Poll` (or your state), never from the truth of the output.
8. Movable until the first poll (Rust: `Pin`). Before its first poll a future may be moved:
   the tests copy its fields into a new object (`copy.copy`) and never touch the old one
   again, as Rust's `Box::pin(fut)` or `spawn(fut)` move it. So `__init__` stores the
   arguments and plain data, nothing that refers back to the future itself (a bound method
   `self._step`, a generator of `self`, a helper holding `self`). From the first poll on it
   stays put, as a pinned Rust future does.

Run `grade` after each class: the tests go through them in this order.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, todo

T = TypeVar("T")
U = TypeVar("U")
V = TypeVar("V")
A = TypeVar("A")
B = TypeVar("B")


# -- 1. The state machine of `user_and_orders` ------------------------------------------------
# Rust: enum UserAndOrders { Start { .. }, AwaitingUser { .. }, AwaitingOrders { .. }, Done }
# Each variant holds exactly what is alive at that point of the function body. These four
# states are given; `match self.state:` with `case Start(fetch_user, fetch_orders):` etc.
# reads just like Rust's `match`.


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
    """`user_and_orders(fetch_user, fetch_orders)` as an explicit state machine.

    `fetch_user()` returns a Future of the user; `fetch_orders(user)` a Future of their
    orders. The output is `(user, orders)`.
    """

    def __init__(
        self, fetch_user: Callable[[], Future[U]], fetch_orders: Callable[[U], Future[V]]
    ) -> None:
        """Store the arguments in the `Start` state, in `self.state`. Call nothing yet.

        Rust: calling an `async fn` only builds the enum in its first variant; nothing in
        the body runs until the future is polled ("futures are lazy").
        """
        todo()

    def poll(self, cx: Context) -> Poll[tuple[U, V]]:
        """Run the body from the current state to the next `await` that is not ready.

        - Start: create the user future (this is where `fetch_user()` is called, once).
        - AwaitingUser: poll it. Pending: return Pending. Ready(user): create the orders future
          with `fetch_orders(user)` and move on — and poll it now, in this same poll.
        - AwaitingOrders: poll it. Ready(orders): move to Done and return Ready((user, orders)).
        - Done: raise `PolledAfterCompletion` (Rust: "`async fn` resumed after completion").
        - An exception from `fetch_user`, `fetch_orders` or an inner future's `poll` comes out
          of this `poll` unchanged, and the body is over: the state becomes Done, so a later
          poll raises `PolledAfterCompletion` and `drop()` has nothing left to drop (Rust: a
          panic unwinds through `poll`; polling again panics "resumed after panicking").

        Rust: `loop { match self.state { .. } }`: a transition `continue`s the loop.
        """
        todo()

    def drop(self) -> None:
        """Cancel: drop the inner future this state is waiting on (if any), then be Done.

        Rust: dropping the enum drops the fields of its current variant ("drop glue"), so
        the in-flight future is dropped too. A future not created yet has nothing to drop,
        and neither has Done (after `Ready`, an exception, or an earlier `drop()`).
        """
        todo()


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
    """Race two futures: the first to finish wins, the other is dropped.

    Rust: `futures::future::select` / `tokio::select! { biased; .. }`.
    - Each poll: poll `left`; if Ready, the answer is `Ready(Left(value))`, whatever
      `value` is (`None` and `0` included).
      Only if left is Pending, poll `right`; if Ready, `Ready(Right(value))`.
      Left-biased: when both could finish, left wins, and right is not polled at all
      (a Ready value from right would be lost).
    - The loser is cancelled: call its `drop()` exactly once.
    - Both Pending: return Pending (both now hold the waker, so either can wake us).
    - After Ready: raise `PolledAfterCompletion`.
    - A side that raises: the exception comes out of `poll` unchanged (Rust: a panic
      unwinds through `poll`), and the race is over: the other side is dropped, and a
      later poll raises `PolledAfterCompletion`.
    """

    def __init__(self, left: Future[A], right: Future[B]) -> None:
        todo()

    def poll(self, cx: Context) -> Poll[Left[A] | Right[B]]:
        todo()

    def drop(self) -> None:
        """Cancel the race: drop both sides, each exactly once.

        Rust: dropping a `Select` drops the two futures it owns. Once the race is over
        (a side won, and the loser was dropped then; or a side raised) there is nothing
        left to drop: a finished future is never dropped, and no future twice.
        """
        todo()


class Join(Future[tuple[A, B]]):
    """Run two futures concurrently; finish with `(left_output, right_output)`.

    Rust: `futures::join!(a, b)`, built on `MaybeDone` (a child is either still a future or
    already its output).
    - Every poll polls each child that has not finished yet (both, not one after the other).
    - A child that returned Ready is never polled again: keep its output until the other one
      finishes too. Any value is an output, `None`, `0` and `""` included.
    - After Ready: raise `PolledAfterCompletion`.
    - A child that raises: the exception comes out of `poll` unchanged (Rust: a panic
      unwinds through `poll`), and the join is over: the other child is dropped if it has
      not finished, and a later poll raises `PolledAfterCompletion`.
    """

    def __init__(self, left: Future[A], right: Future[B]) -> None:
        todo()

    def poll(self, cx: Context) -> Poll[tuple[A, B]]:
        todo()

    def drop(self) -> None:
        """Cancel: drop each child that has not finished, exactly once.

        Rust: dropping `join!`'s future drops its `MaybeDone`s; a child still running is
        dropped, a finished one only holds its output. After `Ready` (or after a child
        raised) there is nothing left to drop, and a second `drop()` drops nothing.
        """
        todo()


# -- 3. How `await` drives a coroutine ---------------------------------------------------------


class CoroutineDriver(Future[T]):
    """Drive an `async def` coroutine through `poll`, the way an executor drives `await`.

    Python coroutines are state machines too: `coro.send(value)` resumes the body until its
    next `await some_future`, where stdtask futures *yield themselves*, so `send` returns
    `some_future`. When the body returns `x`, `send` raises `StopIteration` with `.value == x`.

    - Lazy: the constructor only stores the coroutine.
    - poll: if the body is suspended on a future, poll that future; when it is Ready(v),
      resume the body with `send(v)` — `v` becomes the value of the `await`. The first
      resume is `send(None)`. A newly awaited future is polled at once, in the same poll.
      Pending from the awaited future: return Pending.
    - `return x` in the body: `Ready(x)`. After that: raise `PolledAfterCompletion`.
    - An exception, from the awaited future's `poll` or from the body itself, comes out of
      `poll` unchanged (Rust: a panic unwinds through `poll`), and the coroutine is over:
      not left suspended (its `finally:` blocks run: `coro.throw(error)` raises the error
      at the `await`, `coro.close()` cancels it there), and a later poll raises
      `PolledAfterCompletion`.
    - drop(): cancel with `coro.close()` (stdtask's `await` then drops the awaited future).
      After `Ready`, an exception or an earlier `drop()` there is nothing left to cancel.

    Rust: this is the `poll` the compiler generates for an `async fn`; stdtask's
    `CoroutineFuture` is a complete version — write your own small one here.
    """

    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        todo()

    def poll(self, cx: Context) -> Poll[T]:
        todo()

    def drop(self) -> None:
        todo()
