"""`Future` and the bridge between `async def`/`await` and `poll` (Rust: `std::future`).

Rust's compiler turns an `async fn` into a state machine whose `poll` resumes the body
until it reaches an `.await` on a future that is not ready. Python's coroutines are that
state machine already; `CoroutineFuture` only has to drive one through `poll`:

    async def body():            # the compiler-generated state machine...
        x = await some_future    # ...yields `some_future` here, and `poll` polls it
        return x + 1

    fut = into_future(body())    # IntoFuture: coroutine -> Future
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Coroutine, Generator
from typing import Any, Generic, TypeVar

from stdtask.errors import PolledAfterCompletion
from stdtask.poll import Pending, Poll, Ready
from stdtask.task import Context

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Future(ABC, Generic[T_co]):
    """A value that may not be ready yet (Rust: `trait Future`).

    Contract, as in Rust:
    - `poll` returns `Pending` only after arranging for `cx.waker` (the latest one) to be woken.
    - Once `poll` returned `Ready`, it must not be polled again.
    - `drop()` is Rust's `Drop` for an unfinished future: called at most once, when the
      future is abandoned before completion (a `select` loser, an aborted task, a
      cancelled coroutine). Release what you registered (wakers in queues, slots, locks).
    - An exception raised in `poll` propagates like a panic unwinding through `poll`.
    """

    __slots__ = ()

    @abstractmethod
    def poll(self, cx: Context) -> Poll[T_co]:
        """Try to make progress; `Ready(value)` when done, else `Pending`."""

    def drop(self) -> None:
        """Cancel: the future will never be polled again. Default: nothing to clean up."""

    def __await__(self) -> Generator[Future[Any], Any, T_co]:
        # `await fut` inside a coroutine yields `fut` to whoever drives the coroutine
        # (CoroutineFuture.poll), which polls it and sends back the value once Ready.
        try:
            value = yield self
        except GeneratorExit:
            # The coroutine was closed while suspended here: the awaited future is
            # abandoned, exactly like dropping an `async fn` state machine mid-`.await`.
            self.drop()
            raise
        return value


class CoroutineFuture(Future[T]):
    """Drive an `async def` coroutine through `poll` (the compiler-generated state machine)."""

    __slots__ = ("_awaiting", "_coro", "_done")

    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self._coro = coro
        self._awaiting: Future[Any] | None = None  # the future the body is suspended on
        self._done = False

    def poll(self, cx: Context) -> Poll[T]:
        if self._done:
            raise PolledAfterCompletion("`async fn` resumed after completion")
        if self._awaiting is None:
            return self._resume(cx, None)
        try:
            inner = self._awaiting.poll(cx)
        except BaseException as panic:
            # Let the body see the error at its `await` (it may catch it).
            self._awaiting = None
            return self._resume(cx, None, panic)
        if inner is Pending:
            return Pending
        self._awaiting = None
        return self._resume(cx, inner.value)

    def _resume(self, cx: Context, value: Any, error: BaseException | None = None) -> Poll[T]:
        """Run the body to its next `await`, polling each newly awaited future at once."""
        while True:
            try:
                if error is None:
                    awaited = self._coro.send(value)
                else:
                    awaited = self._coro.throw(error)
            except StopIteration as finished:
                self._done = True
                return Ready(finished.value)
            except BaseException:
                self._done = True
                raise
            if type(awaited) not in _FUTURE_TYPES and not _is_future(awaited):
                error = TypeError(
                    f"a coroutine driven by stdtask awaited {awaited!r}, which is not a stdtask "
                    "Future (asyncio and trio objects need their own event loop)"
                )
                value = None
                continue
            try:
                inner = awaited.poll(cx)
            except BaseException as panic:
                value, error = None, panic
                continue
            if inner is Pending:
                self._awaiting = awaited
                return Pending
            value, error = inner.value, None

    def drop(self) -> None:
        """Cancel the body: close the coroutine, which drops the future it awaits."""
        if self._done:
            return
        self._done = True
        self._awaiting = None
        self._coro.close()  # GeneratorExit at the `await`: Future.__await__ drops the inner future

    def __repr__(self) -> str:
        name = getattr(self._coro, "__qualname__", type(self._coro).__name__)
        return f"<CoroutineFuture {name}>"


# Exact types already seen to be Futures: the await path checks this set first, because
# `isinstance` against an ABC costs several times more than a set lookup.
_FUTURE_TYPES: set[type] = set()


def _is_future(value: object) -> bool:
    if isinstance(value, Future):
        _FUTURE_TYPES.add(type(value))
        return True
    return False


IntoFuture = Future[T] | Coroutine[Any, Any, T]


def into_future(value: IntoFuture[T]) -> Future[T]:
    """Turn a coroutine into a Future; a Future is returned as is (Rust: `IntoFuture`)."""
    if isinstance(value, Future):
        return value
    if isinstance(value, Coroutine):
        return CoroutineFuture(value)
    raise TypeError(f"expected a stdtask Future or a coroutine, got {type(value).__name__}")
