"""The workloads on a stdtask runtime: the reference (solutions/07_timers/timers.py; W6:
solutions/08_reactor/reactor.py) by default, or any file with the same API (`grade bench`
passes the attendee's exercises/07_timers/timers.py, and for W6 exercises/08_reactor/reactor.py).

The runtime module provides `block_on`, `spawn` and `sleep` (real clock: its default
`SystemClock`). W2 and W4 use the reference channel and mutex (stages 03 and 04) when
`solutions/` has them, else the minimal ones in `primitives.py`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.workloads import (
    CHANNEL,
    ECHO_CONNECTIONS,
    ECHO_MESSAGE,
    MUTEX,
    MUTEX_TASKS,
    REPO_ROOT,
    check,
    per_task,
    sleep_durations,
    start_tracing,
    timer,
)
from bench.workloads import primitives as prims

REFERENCE = REPO_ROOT / "solutions" / "07_timers" / "timers.py"
REACTOR = REPO_ROOT / "solutions" / "08_reactor" / "reactor.py"  # W6: stage 08's runtime


def load(path: Path, name: str) -> ModuleType:
    """Import a stage file by path (its folder name starts with a digit)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def _channel_and_mutex() -> tuple[Any, Any]:
    if CHANNEL.exists() and MUTEX.exists():
        return load(CHANNEL, "_bench_channel").channel, load(MUTEX, "_bench_mutex").Mutex
    return prims.channel, prims.Mutex


async def w1(rt: ModuleType, n: int) -> None:
    async def child(i: int) -> int:
        return i

    handles = [rt.spawn(child(i)) for i in range(n)]
    total = 0
    for handle in handles:
        total += await handle
    check("w1 sum of outputs", total, n * (n - 1) // 2)


async def w2(rt: ModuleType, n: int, channel: Any) -> None:
    rounds = n // 2
    tx_ping, rx_ping = channel()
    tx_pong, rx_pong = channel()

    async def ping() -> int:
        value = 0
        for _ in range(rounds):
            tx_ping.send(value)
            value = await rx_pong.recv()
        return value

    async def pong() -> None:
        for _ in range(rounds):
            tx_pong.send(await rx_ping.recv() + 1)

    pinger, ponger = rt.spawn(ping()), rt.spawn(pong())
    check("w2 last value", await pinger, rounds)
    await ponger


async def w3(rt: ModuleType, n: int) -> None:
    done = 0

    async def sleeper(seconds: float) -> None:
        nonlocal done
        await rt.sleep(seconds)
        done += 1

    handles = [rt.spawn(sleeper(d)) for d in sleep_durations(n)]
    for handle in handles:
        await handle
    check("w3 tasks done", done, n)


async def w4(rt: ModuleType, n: int, mutex_type: Any) -> None:
    mutex = mutex_type(0)
    per_task_ops = n // MUTEX_TASKS

    async def worker() -> None:
        for _ in range(per_task_ops):
            guard = await mutex.lock()
            await prims.yield_now()  # inside the critical section: everyone else queues up
            guard.value += 1
            guard.release()

    handles = [rt.spawn(worker()) for _ in range(MUTEX_TASKS)]
    for handle in handles:
        await handle
    guard = await mutex.lock()
    check("w4 counter", guard.value, per_task_ops * MUTEX_TASKS)
    guard.release()


async def w5(rt: ModuleType, n: int) -> float:
    event = prims.Event()
    started = 0

    async def idle() -> None:
        nonlocal started
        started += 1
        await event.wait()

    before = start_tracing()
    handles = [rt.spawn(idle()) for _ in range(n)]
    while started < n:
        await prims.yield_now()
    result = per_task(before, n)
    event.set()
    for handle in handles:
        await handle
    return result


async def w6(rt: ModuleType, n: int) -> None:
    """Echo over loopback: the runtime's own `serve`/`echo` (stage 08's capstone), and
    ECHO_CONNECTIONS clients each doing n / ECHO_CONNECTIONS round trips."""
    per_client = n // ECHO_CONNECTIONS
    size = len(ECHO_MESSAGE)
    listener = rt.TcpListener.bind(("127.0.0.1", 0))
    address = listener.local_addr()
    server = rt.spawn(rt.serve(listener, ECHO_CONNECTIONS))

    async def client() -> int:
        stream = await rt.TcpStream.connect(address)
        for _ in range(per_client):
            await stream.write_all(ECHO_MESSAGE)
            received = 0
            while received < size:
                received += len(await stream.read(65536))
        stream.shutdown_write()
        await stream.read(1)  # the server closes its side at end of stream
        stream.close()
        return per_client

    handles = [rt.spawn(client()) for _ in range(ECHO_CONNECTIONS)]
    trips = 0
    for handle in handles:
        trips += await handle
    echoed = await server
    listener.close()
    check("w6 round trips", trips, per_client * ECHO_CONNECTIONS)
    check("w6 bytes echoed", echoed, trips * size)


def run(workload: str, size: int, runtime_file: str | None = None) -> float:
    default = REACTOR if workload == "w6" else REFERENCE
    rt = load(Path(runtime_file) if runtime_file else default, "_bench_runtime")
    channel, mutex_type = _channel_and_mutex() if workload in ("w2", "w4") else (None, None)
    root = {
        "w1": lambda: w1(rt, size),
        "w2": lambda: w2(rt, size, channel),
        "w3": lambda: w3(rt, size),
        "w4": lambda: w4(rt, size, mutex_type),
        "w5": lambda: w5(rt, size),
        "w6": lambda: w6(rt, size),
    }[workload]()
    started = timer()
    result = rt.block_on(root)
    elapsed = timer() - started
    return result if workload == "w5" else elapsed
