"""The workloads on trio: nurseries instead of join handles, memory channels, trio.Lock."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import trio

from bench.workloads import (
    ECHO_CONNECTIONS,
    ECHO_MESSAGE,
    MUTEX_TASKS,
    check,
    per_task,
    sleep_durations,
    start_tracing,
    timer,
)


async def w1(n: int) -> None:
    total = 0

    async def child(i: int) -> None:
        nonlocal total
        total += i  # trio tasks have no output: the nursery joins them

    async with trio.open_nursery() as nursery:
        for i in range(n):
            nursery.start_soon(child, i)
    check("w1 sum of outputs", total, n * (n - 1) // 2)


async def w2(n: int) -> None:
    rounds = n // 2
    tx_ping, rx_ping = trio.open_memory_channel[int](math.inf)
    tx_pong, rx_pong = trio.open_memory_channel[int](math.inf)
    last = 0

    async def ping() -> None:
        nonlocal last
        value = 0
        for _ in range(rounds):
            tx_ping.send_nowait(value)
            value = await rx_pong.receive()
        last = value

    async def pong() -> None:
        for _ in range(rounds):
            tx_pong.send_nowait(await rx_ping.receive() + 1)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(ping)
        nursery.start_soon(pong)
    check("w2 last value", last, rounds)


async def w3(n: int) -> None:
    done = 0

    async def sleeper(seconds: float) -> None:
        nonlocal done
        await trio.sleep(seconds)
        done += 1

    async with trio.open_nursery() as nursery:
        for seconds in sleep_durations(n):
            nursery.start_soon(sleeper, seconds)
    check("w3 tasks done", done, n)


async def w4(n: int) -> None:
    lock = trio.Lock()
    counter = 0
    per_task_ops = n // MUTEX_TASKS

    async def worker() -> None:
        nonlocal counter
        for _ in range(per_task_ops):
            await lock.acquire()
            await trio.lowlevel.checkpoint()  # trio's yield
            counter += 1
            lock.release()

    async with trio.open_nursery() as nursery:
        for _ in range(MUTEX_TASKS):
            nursery.start_soon(worker)
    check("w4 counter", counter, per_task_ops * MUTEX_TASKS)


async def w5(n: int) -> float:
    event = trio.Event()
    started = 0
    result = 0.0

    async def idle() -> None:
        nonlocal started
        started += 1
        await event.wait()

    async with trio.open_nursery() as nursery:
        before = start_tracing()
        for _ in range(n):
            nursery.start_soon(idle)
        while started < n:
            await trio.lowlevel.checkpoint()
        result = per_task(before, n)
        event.set()
    return result


async def w6(n: int) -> None:
    """Echo over loopback with trio's streams: SocketListener.accept, receive_some, send_all."""
    per_client = n // ECHO_CONNECTIONS
    size = len(ECHO_MESSAGE)
    echoed = 0
    trips = 0
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1", backlog=1024)
    listener = listeners[0]
    port = listener.socket.getsockname()[1]

    async def echo(stream: trio.SocketStream) -> None:
        nonlocal echoed
        async with stream:
            while data := await stream.receive_some(65536):
                await stream.send_all(data)
                echoed += len(data)

    async def serve(nursery: trio.Nursery) -> None:
        for _ in range(ECHO_CONNECTIONS):
            nursery.start_soon(echo, await listener.accept())

    async def client() -> None:
        nonlocal trips
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        async with stream:
            for _ in range(per_client):
                await stream.send_all(ECHO_MESSAGE)
                received = 0
                while received < size:
                    received += len(await stream.receive_some(65536))
            await stream.send_eof()
            await stream.receive_some(1)
        trips += per_client

    async with trio.open_nursery() as nursery:
        nursery.start_soon(serve, nursery)
        for _ in range(ECHO_CONNECTIONS):
            nursery.start_soon(client)
    await listener.aclose()
    check("w6 round trips", trips, per_client * ECHO_CONNECTIONS)
    check("w6 bytes echoed", echoed, trips * size)


ROOTS: dict[str, Callable[[int], Awaitable[Any]]] = {
    "w1": w1, "w2": w2, "w3": w3, "w4": w4, "w5": w5, "w6": w6,
}


def run(workload: str, size: int) -> float:
    root = ROOTS[workload]
    started = timer()
    result = trio.run(root, size)
    elapsed = timer() - started
    return result if workload == "w5" else elapsed
