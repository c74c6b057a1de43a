"""MaybeDone objects under Select and Join; Join wakes once more when a child finishes.

The extra wake is spurious and harmless; the state machine dispatches to one handler per
state class.

A correct alternative to solutions/02_state_machine: same public API, other shapes.
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


@dataclass
class Start(Generic[U, V]):
    fetch_user: Callable[[], Future[U]]
    fetch_orders: Callable[[U], Future[V]]


@dataclass
class AwaitingUser(Generic[U, V]):
    user_future: Future[U]
    fetch_orders: Callable[[U], Future[V]]


@dataclass
class AwaitingOrders(Generic[U, V]):
    user: U
    orders_future: Future[V]


@dataclass
class Done:
    pass


State = Start[U, V] | AwaitingUser[U, V] | AwaitingOrders[U, V] | Done

_CONTINUE = object()  # a handler moved to a new state: run the next handler now


class UserAndOrders(Future[tuple[U, V]]):
    def __init__(
        self, fetch_user: Callable[[], Future[U]], fetch_orders: Callable[[U], Future[V]]
    ) -> None:
        self.state: State[U, V] = Start(fetch_user, fetch_orders)

    def poll(self, cx: Context) -> Poll[tuple[U, V]]:
        handlers: dict[type, Callable[[Any, Context], Any]] = {
            Start: self._start,
            AwaitingUser: self._awaiting_user,
            AwaitingOrders: self._awaiting_orders,
            Done: self._done,
        }
        while True:
            try:
                outcome = handlers[type(self.state)](self.state, cx)
            except PolledAfterCompletion:
                raise
            except BaseException:
                self.state = Done()
                raise
            if outcome is not _CONTINUE:
                return outcome

    def _start(self, state: Start[U, V], cx: Context) -> Any:
        self.state = AwaitingUser(state.fetch_user(), state.fetch_orders)
        return _CONTINUE

    def _awaiting_user(self, state: AwaitingUser[U, V], cx: Context) -> Any:
        polled = state.user_future.poll(cx)
        if not polled.is_ready():
            return Pending
        user = polled.value  # type: ignore[attr-defined]
        self.state = AwaitingOrders(user, state.fetch_orders(user))
        return _CONTINUE

    def _awaiting_orders(self, state: AwaitingOrders[U, V], cx: Context) -> Any:
        polled = state.orders_future.poll(cx)
        if not polled.is_ready():
            return Pending
        self.state = Done()
        return Ready((state.user, polled.value))  # type: ignore[attr-defined]

    def _done(self, state: Done, cx: Context) -> Any:
        raise PolledAfterCompletion("`async fn` resumed after completion")

    def drop(self) -> None:
        state, self.state = self.state, Done()
        running = {AwaitingUser: "user_future", AwaitingOrders: "orders_future"}.get(type(state))
        if running is not None:
            getattr(state, running).drop()


@dataclass(frozen=True)
class Left(Generic[A]):
    value: A


@dataclass(frozen=True)
class Right(Generic[B]):
    value: B


class MaybeDone(Generic[T]):
    """One child: running (has `future`), finished (has `output`), or gone (raised/dropped)."""

    def __init__(self, future: Future[T]) -> None:
        self.future: Future[T] | None = future
        self.finished = False
        self.output: Any = None

    def poll(self, cx: Context) -> bool:
        """Poll if still running; True once finished. An exception leaves it gone."""
        if self.future is not None:
            future = self.future
            try:
                polled = future.poll(cx)
            except BaseException:
                self.future = None
                raise
            if polled.is_ready():
                self.future, self.finished = None, True
                self.output = polled.value  # type: ignore[attr-defined]
        return self.finished

    def drop(self) -> None:
        future, self.future = self.future, None
        if future is not None:
            future.drop()


class Select(Future[Left[A] | Right[B]]):
    def __init__(self, left: Future[A], right: Future[B]) -> None:
        self.left = MaybeDone(left)
        self.right = MaybeDone(right)
        self.over = False

    def poll(self, cx: Context) -> Poll[Left[A] | Right[B]]:
        if self.over:
            raise PolledAfterCompletion("Select polled after completion")
        try:
            if self.left.poll(cx):
                self.drop()
                return Ready(Left(self.left.output))
            if self.right.poll(cx):
                self.drop()
                return Ready(Right(self.right.output))
        except BaseException:
            self.drop()
            raise
        return Pending

    def drop(self) -> None:
        self.over = True
        self.left.drop()  # a finished or failed side has no future left: nothing happens
        self.right.drop()


class Join(Future[tuple[A, B]]):
    def __init__(self, left: Future[A], right: Future[B]) -> None:
        self.left = MaybeDone(left)
        self.right = MaybeDone(right)
        self.over = False

    def poll(self, cx: Context) -> Poll[tuple[A, B]]:
        if self.over:
            raise PolledAfterCompletion("Join polled after completion")
        was_done = (self.left.finished, self.right.finished)
        try:
            left_done = self.left.poll(cx)
            right_done = self.right.poll(cx)
        except BaseException:
            self.drop()
            raise
        if left_done and right_done:
            self.over = True
            return Ready((self.left.output, self.right.output))
        if (left_done, right_done) != was_done:
            cx.waker.wake()  # one child just finished: an extra, harmless wake
        return Pending

    def drop(self) -> None:
        self.over = True
        self.left.drop()
        self.right.drop()


class CoroutineDriver(Future[T]):
    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self.coro = coro
        self.awaiting: Future[Any] | None = None
        self.started = False
        self.over = False

    def _advance(self, value: Any) -> Poll[T] | None:
        """Resume the body with `value`; Ready at its return, else None (a new future)."""
        try:
            self.awaiting = self.coro.send(value)
        except StopIteration as stop:
            self.over = True
            return Ready(stop.value)
        return None

    def poll(self, cx: Context) -> Poll[T]:
        if self.over:
            raise PolledAfterCompletion("coroutine resumed after completion")
        try:
            if not self.started:
                self.started = True
                finished = self._advance(None)
                if finished is not None:
                    return finished
            while True:
                assert self.awaiting is not None
                polled = self.awaiting.poll(cx)
                if polled is Pending:
                    return Pending
                finished = self._advance(polled.value)  # type: ignore[attr-defined]
                if finished is not None:
                    return finished
        except BaseException:
            self.drop()
            raise

    def drop(self) -> None:
        if not self.over:
            self.over = True
            self.awaiting = None
            self.coro.close()
