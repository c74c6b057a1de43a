"""isinstance chains, recursive poll after a transition; the driver throws errors into the body.

Select loops over its sides; Join keeps a list of [future, output] slots.

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


class UserAndOrders(Future[tuple[U, V]]):
    def __init__(
        self, fetch_user: Callable[[], Future[U]], fetch_orders: Callable[[U], Future[V]]
    ) -> None:
        self.state: State[U, V] = Start(fetch_user, fetch_orders)

    def poll(self, cx: Context) -> Poll[tuple[U, V]]:
        state = self.state
        if isinstance(state, Done):
            raise PolledAfterCompletion("`async fn` resumed after completion")
        self.state = Done()  # poisoned while running: an exception leaves it Done
        if isinstance(state, Start):
            self.state = AwaitingUser(state.fetch_user(), state.fetch_orders)
            return self.poll(cx)  # the transition: poll the new future right away
        if isinstance(state, AwaitingUser):
            polled = state.user_future.poll(cx)
            if polled.is_pending():
                self.state = state
                return Pending
            user = polled.value  # type: ignore[attr-defined]
            self.state = AwaitingOrders(user, state.fetch_orders(user))
            return self.poll(cx)
        polled = state.orders_future.poll(cx)
        if polled.is_pending():
            self.state = state
            return Pending
        return Ready((state.user, polled.value))  # type: ignore[attr-defined]

    def drop(self) -> None:
        state, self.state = self.state, Done()
        if isinstance(state, AwaitingUser):
            state.user_future.drop()
        elif isinstance(state, AwaitingOrders):
            state.orders_future.drop()


@dataclass(frozen=True)
class Left(Generic[A]):
    value: A


@dataclass(frozen=True)
class Right(Generic[B]):
    value: B


class Select(Future[Left[A] | Right[B]]):
    def __init__(self, left: Future[A], right: Future[B]) -> None:
        self.sides: list[tuple[Future[Any], Callable[[Any], Any]]] | None = [
            (left, Left),
            (right, Right),
        ]

    def poll(self, cx: Context) -> Poll[Left[A] | Right[B]]:
        sides = self.sides
        if sides is None:
            raise PolledAfterCompletion("Select polled after completion")
        for index, (future, wrap) in enumerate(sides):
            try:
                polled = future.poll(cx)
            except BaseException:
                self.sides = None
                for other, _ in sides[:index] + sides[index + 1 :]:
                    other.drop()  # the side that raised is left alone
                raise
            if polled.is_ready():
                self.sides = None
                for other, _ in sides[:index] + sides[index + 1 :]:
                    other.drop()
                return Ready(wrap(polled.value))  # type: ignore[attr-defined]
        return Pending

    def drop(self) -> None:
        sides, self.sides = self.sides, None
        for future, _ in sides or ():
            future.drop()


class Join(Future[tuple[A, B]]):
    def __init__(self, left: Future[A], right: Future[B]) -> None:
        # one slot per child: [future or None once finished, output]
        self.slots: list[list[Any]] | None = [[left, None], [right, None]]

    def poll(self, cx: Context) -> Poll[tuple[A, B]]:
        slots = self.slots
        if slots is None:
            raise PolledAfterCompletion("Join polled after completion")
        for slot in slots:
            if slot[0] is None:
                continue
            try:
                polled = slot[0].poll(cx)
            except BaseException:
                slot[0] = None  # it raised: not running any more, and not dropped
                self.drop()
                raise
            if polled.is_ready():
                slot[0], slot[1] = None, polled.value  # type: ignore[attr-defined]
        if all(slot[0] is None for slot in slots):
            self.slots = None
            return Ready((slots[0][1], slots[1][1]))
        return Pending

    def drop(self) -> None:
        slots, self.slots = self.slots, None
        for slot in slots or ():
            if slot[0] is not None:
                slot[0].drop()


class CoroutineDriver(Future[T]):
    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self.coro: Coroutine[Any, Any, T] | None = coro
        self.awaiting: Future[Any] | None = None

    def poll(self, cx: Context) -> Poll[T]:
        if self.coro is None:
            raise PolledAfterCompletion("coroutine resumed after completion")
        send: Any = None
        error: BaseException | None = None
        if self.awaiting is not None:
            try:
                polled = self.awaiting.poll(cx)
            except BaseException as raised:
                polled, error = Pending, raised
            if error is None and polled.is_pending():
                return Pending
            self.awaiting = None
            if error is None:
                send = polled.value  # type: ignore[attr-defined]
        while True:
            try:
                if error is not None:
                    self.awaiting = self.coro.throw(error)  # raised at the `await`
                else:
                    self.awaiting = self.coro.send(send)
            except StopIteration as finished:
                self.coro = None
                return Ready(finished.value)
            except BaseException:
                self.coro = None
                raise
            error = None
            try:
                polled = self.awaiting.poll(cx)
            except BaseException as raised:
                self.awaiting, error = None, raised
                continue
            if polled.is_pending():
                return Pending
            self.awaiting, send = None, polled.value  # type: ignore[attr-defined]

    def drop(self) -> None:
        coro, self.coro = self.coro, None
        self.awaiting = None
        if coro is not None:
            coro.close()
