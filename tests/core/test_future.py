"""Future, drop(), the await bridge and coroutine -> Future (Rust's async fn state machine)."""

from __future__ import annotations

import pytest

from stdtask import (
    Context,
    CoroutineFuture,
    Future,
    Pending,
    Poll,
    PolledAfterCompletion,
    Ready,
    TodoError,
    into_future,
    noop_waker,
    todo,
)


class Gate(Future[str]):
    """Pending until opened; records polls and drops."""

    def __init__(self, value: str = "open") -> None:
        self.value = value
        self.is_open = False
        self.polls = 0
        self.drops = 0

    def poll(self, cx: Context) -> Poll[str]:
        self.polls += 1
        return Ready(self.value) if self.is_open else Pending


class Boom(Future[None]):
    def poll(self, cx: Context) -> Poll[None]:
        raise ValueError("boom")


class Dropping(Gate):
    def drop(self) -> None:
        self.drops += 1


def poll(future: Future[object]) -> Poll[object]:
    return future.poll(Context(noop_waker()))


def test_default_drop_is_a_no_op() -> None:
    Gate().drop()


def test_coroutine_is_lazy_and_polls_new_inner_futures_in_the_same_poll() -> None:
    log: list[str] = []
    first, second = Gate("a"), Gate("b")

    async def body() -> str:
        log.append("started")
        x = await first
        y = await second
        return x + y

    future = into_future(body())
    assert log == []  # lazy: nothing runs before the first poll
    assert poll(future) is Pending and log == ["started"]
    first.is_open = True
    assert poll(future) is Pending
    assert second.polls == 1  # polled in the same poll as the transition
    second.is_open = True
    assert poll(future) == Ready("ab")
    with pytest.raises(PolledAfterCompletion):
        poll(future)


def test_ready_inner_futures_do_not_suspend() -> None:
    async def body() -> int:
        a = Gate("1")
        a.is_open = True
        return int(await a) + 1

    assert poll(into_future(body())) == Ready(2)


def test_nested_coroutines_delegate() -> None:
    gate = Gate("x")

    async def inner() -> str:
        return await gate

    async def outer() -> str:
        return (await inner()) * 2

    future = into_future(outer())
    assert poll(future) is Pending
    gate.is_open = True
    assert poll(future) == Ready("xx")


def test_exception_in_inner_poll_reaches_the_coroutine() -> None:
    async def catches() -> str:
        try:
            await Boom()
        except ValueError as error:
            return f"caught {error}"
        return "not reached"

    assert poll(into_future(catches())) == Ready("caught boom")


def test_uncaught_exception_propagates_like_a_panic() -> None:
    async def body() -> None:
        await Boom()

    future = into_future(body())
    with pytest.raises(ValueError, match="boom"):
        poll(future)
    with pytest.raises(PolledAfterCompletion):
        poll(future)


def test_dropping_the_coroutine_drops_the_awaited_future_once() -> None:
    gate = Dropping()
    cleanup: list[str] = []

    async def body() -> None:
        try:
            await gate
        finally:
            cleanup.append("finally ran")

    future = into_future(body())
    poll(future)
    future.drop()
    future.drop()  # a second drop is harmless
    assert gate.drops == 1 and cleanup == ["finally ran"]


def test_closing_a_coroutine_mid_await_drops_the_future() -> None:
    gate = Dropping()

    async def body() -> None:
        await gate

    coro = body()
    future = CoroutineFuture(coro)
    poll(future)
    coro.close()
    assert gate.drops == 1


def test_drop_before_first_poll_runs_nothing() -> None:
    started: list[bool] = []

    async def body() -> None:
        started.append(True)

    future = into_future(body())
    future.drop()
    assert started == []


def test_awaiting_a_foreign_awaitable_is_a_clear_error() -> None:
    class Foreign:
        def __await__(self):  # type: ignore[no-untyped-def]
            yield "not a future"

    async def body() -> None:
        await Foreign()

    with pytest.raises(TypeError, match="not a stdtask Future"):
        poll(into_future(body()))


def test_into_future_passes_futures_through_and_rejects_others() -> None:
    gate = Gate()
    assert into_future(gate) is gate
    with pytest.raises(TypeError):
        into_future(42)  # type: ignore[arg-type]


def test_todo_raises_todo_error_naming_the_function() -> None:
    def unfinished() -> None:
        todo("write me")

    with pytest.raises(TodoError, match=r"unfinished\(\): write me"):
        unfinished()
