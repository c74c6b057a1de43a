"""Enum phase with flat fields; Join polls right first; drops go right to left.

Join keeps (finished, output) pairs; in Select and Join a child that raised is never dropped,
only the others.

A correct alternative to solutions/02_state_machine: same public API, other shapes.
"""

from __future__ import annotations

import enum
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


class Phase(enum.Enum):
    START = enum.auto()
    AWAITING_USER = enum.auto()
    AWAITING_ORDERS = enum.auto()
    DONE = enum.auto()


class UserAndOrders(Future[tuple[U, V]]):
    def __init__(
        self, fetch_user: Callable[[], Future[U]], fetch_orders: Callable[[U], Future[V]]
    ) -> None:
        self.phase = Phase.START
        self.fetch_user = fetch_user
        self.fetch_orders = fetch_orders
        self.inner: Future[Any] | None = None  # the future of the current await
        self.user: Any = None

    def poll(self, cx: Context) -> Poll[tuple[U, V]]:
        if self.phase is Phase.DONE:
            raise PolledAfterCompletion("`async fn` resumed after completion")
        try:
            while True:
                match self.phase:
                    case Phase.START:
                        self.inner = self.fetch_user()
                        self.phase = Phase.AWAITING_USER
                    case Phase.AWAITING_USER:
                        assert self.inner is not None
                        polled = self.inner.poll(cx)
                        if polled is Pending:
                            return Pending
                        assert isinstance(polled, Ready)
                        self.user, self.inner = polled.value, None
                        self.inner = self.fetch_orders(self.user)
                        self.phase = Phase.AWAITING_ORDERS
                    case Phase.AWAITING_ORDERS:
                        assert self.inner is not None
                        polled = self.inner.poll(cx)
                        if polled is Pending:
                            return Pending
                        assert isinstance(polled, Ready)
                        self.phase, self.inner = Phase.DONE, None
                        return Ready((self.user, polled.value))
                    case Phase.DONE:
                        raise PolledAfterCompletion("`async fn` resumed after completion")
        except BaseException:
            self.phase, self.inner = Phase.DONE, None
            raise

    def drop(self) -> None:
        inner, self.inner, self.phase = self.inner, None, Phase.DONE
        if inner is not None:
            inner.drop()


@dataclass(frozen=True)
class Left(Generic[A]):
    value: A


@dataclass(frozen=True)
class Right(Generic[B]):
    value: B


class Select(Future[Left[A] | Right[B]]):
    def __init__(self, left: Future[A], right: Future[B]) -> None:
        self.left: Future[A] | None = left
        self.right: Future[B] | None = right
        self.over = False

    def _end(self, *keep: object) -> None:
        """The race is over: drop every side still here except `keep`, right to left."""
        self.over = True
        right, left = self.right, self.left
        self.left = self.right = None
        for side in (right, left):
            if side is not None and not any(side is k for k in keep):
                side.drop()

    def poll(self, cx: Context) -> Poll[Left[A] | Right[B]]:
        if self.over:
            raise PolledAfterCompletion("Select polled after completion")
        assert self.left is not None and self.right is not None
        left = self.left
        try:
            polled = left.poll(cx)
        except BaseException:
            self._end(left)
            raise
        if isinstance(polled, Ready):
            self._end(left)
            return Ready(Left(polled.value))
        right = self.right
        try:
            polled_right = right.poll(cx)
        except BaseException:
            self._end(right)
            raise
        if isinstance(polled_right, Ready):
            self._end(right)
            return Ready(Right(polled_right.value))
        return Pending

    def drop(self) -> None:
        if not self.over:
            self._end()


class Join(Future[tuple[A, B]]):
    def __init__(self, left: Future[A], right: Future[B]) -> None:
        self.children: tuple[Future[Any], Future[Any]] = (left, right)
        self.results: list[tuple[bool, Any]] = [(False, None), (False, None)]
        self.over = False

    def poll(self, cx: Context) -> Poll[tuple[A, B]]:
        if self.over:
            raise PolledAfterCompletion("Join polled after completion")
        for index in (1, 0):  # any order polls both; right first here
            finished, _ = self.results[index]
            if finished:
                continue
            try:
                polled = self.children[index].poll(cx)
            except BaseException:
                self.over = True
                other = 1 - index
                if not self.results[other][0]:
                    self.children[other].drop()
                raise
            if isinstance(polled, Ready):
                self.results[index] = (True, polled.value)
        (left_done, a), (right_done, b) = self.results
        if left_done and right_done:
            self.over = True
            return Ready((a, b))
        return Pending

    def drop(self) -> None:
        if self.over:
            return
        self.over = True
        for index in (1, 0):
            if not self.results[index][0]:
                self.children[index].drop()


class CoroutineDriver(Future[T]):
    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self.coro = coro
        self.awaiting: Future[Any] | None = None
        self.finished = False

    def poll(self, cx: Context) -> Poll[T]:
        if self.finished:
            raise PolledAfterCompletion("coroutine resumed after completion")
        try:
            while True:
                if self.awaiting is not None:
                    polled = self.awaiting.poll(cx)
                    if polled is Pending:
                        return Pending
                    assert isinstance(polled, Ready)
                    value = polled.value
                    self.awaiting = None
                else:
                    value = None  # only the very first resume
                try:
                    self.awaiting = self.coro.send(value)
                except StopIteration as stop:
                    self.finished = True
                    return Ready(stop.value)
        except BaseException:
            self.finished = True
            self.awaiting = None
            self.coro.close()  # the body's `finally:` blocks run now
            raise

    def drop(self) -> None:
        if not self.finished:
            self.finished = True
            self.awaiting = None
            self.coro.close()
