"""The workloads on asyncio (the default event loop); uvloop_rt runs the same coroutines."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

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

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


async def w1(n: int) -> None:
    async def child(i: int) -> int:
        return i

    tasks = [asyncio.create_task(child(i)) for i in range(n)]
    total = 0
    for task in tasks:
        total += await task
    check("w1 sum of outputs", total, n * (n - 1) // 2)


async def w2(n: int) -> None:
    rounds = n // 2
    ping_queue: asyncio.Queue[int] = asyncio.Queue()
    pong_queue: asyncio.Queue[int] = asyncio.Queue()

    async def ping() -> int:
        value = 0
        for _ in range(rounds):
            ping_queue.put_nowait(value)
            value = await pong_queue.get()
        return value

    async def pong() -> None:
        for _ in range(rounds):
            pong_queue.put_nowait(await ping_queue.get() + 1)

    pinger, ponger = asyncio.create_task(ping()), asyncio.create_task(pong())
    check("w2 last value", await pinger, rounds)
    await ponger


async def w3(n: int) -> None:
    done = 0

    async def sleeper(seconds: float) -> None:
        nonlocal done
        await asyncio.sleep(seconds)
        done += 1

    tasks = [asyncio.create_task(sleeper(d)) for d in sleep_durations(n)]
    for task in tasks:
        await task
    check("w3 tasks done", done, n)


async def w4(n: int) -> None:
    lock = asyncio.Lock()
    counter = 0
    per_task_ops = n // MUTEX_TASKS

    async def worker() -> None:
        nonlocal counter
        for _ in range(per_task_ops):
            await lock.acquire()
            await asyncio.sleep(0)  # asyncio's yield
            counter += 1
            lock.release()

    tasks = [asyncio.create_task(worker()) for _ in range(MUTEX_TASKS)]
    for task in tasks:
        await task
    check("w4 counter", counter, per_task_ops * MUTEX_TASKS)


async def w5(n: int) -> float:
    event = asyncio.Event()
    started = 0

    async def idle() -> None:
        nonlocal started
        started += 1
        await event.wait()

    before = start_tracing()
    tasks = [asyncio.create_task(idle()) for _ in range(n)]
    while started < n:
        await asyncio.sleep(0)
    result = per_task(before, n)
    event.set()
    for task in tasks:
        await task
    return result


async def w6(n: int) -> None:
    """Echo over loopback with asyncio's streams (its idiom: a protocol-backed transport)."""
    per_client = n // ECHO_CONNECTIONS
    size = len(ECHO_MESSAGE)
    echoed = 0
    done = asyncio.Event()
    finished = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal echoed, finished
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
            echoed += len(data)
        writer.close()
        finished += 1
        if finished == ECHO_CONNECTIONS:
            done.set()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    host, port = server.sockets[0].getsockname()[:2]

    async def client() -> int:
        reader, writer = await asyncio.open_connection(host, port)
        for _ in range(per_client):
            writer.write(ECHO_MESSAGE)
            await writer.drain()
            await reader.readexactly(size)
        writer.write_eof()
        await reader.read(1)
        writer.close()
        return per_client

    trips = sum(await asyncio.gather(*(client() for _ in range(ECHO_CONNECTIONS))))
    await done.wait()
    server.close()
    await server.wait_closed()
    check("w6 round trips", trips, per_client * ECHO_CONNECTIONS)
    check("w6 bytes echoed", echoed, trips * size)


ROOTS: dict[str, Callable[[int], Coroutine[Any, Any, Any]]] = {
    "w1": w1, "w2": w2, "w3": w3, "w4": w4, "w5": w5, "w6": w6,
}


def run(workload: str, size: int, runner: Runner = asyncio.run) -> float:
    root = ROOTS[workload](size)
    started = timer()
    result = runner(root)
    elapsed = timer() - started
    return result if workload == "w5" else elapsed
