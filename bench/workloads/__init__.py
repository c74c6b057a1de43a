"""The six workloads, written once per runtime (one module each), run by `bench.worker`.

Every runtime module has `run(workload, size) -> float`: seconds for W1-W4 and W6 (the whole
run call: `block_on` / `asyncio.run` / `trio.run`), bytes per idle task for W5.
"""

from __future__ import annotations

import gc
import os
import random
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHANNEL = REPO_ROOT / "solutions" / "03_channel" / "channel.py"  # W2 on stdtask runtimes
MUTEX = REPO_ROOT / "solutions" / "04_mutex" / "mutex.py"  # W4 on stdtask runtimes
SEED = 20240607  # W3's pseudo-random sleep durations are the same for every runtime
MUTEX_TASKS = 100  # W4: this many tasks share `size` lock/unlock operations
ECHO_CONNECTIONS = 100  # W6: this many client connections at once share `size` round trips
ECHO_MESSAGE = b"0123456789abcdef" * 4  # W6: 64 bytes per round trip


@dataclass(frozen=True)
class Workload:
    id: str
    title: str
    size: int  # full size; --quick and `grade bench` divide it
    unit: str  # "s" (lower is better) or "B" (bytes per task, lower is better)
    what: str


WORKLOADS = (
    Workload("w1", "spawn + join", 100_000, "s", "spawn N trivial tasks, then await each one's handle"),
    Workload("w2", "ping-pong", 200_000, "s",
             "two tasks, two unbounded channels: N messages in all (N/2 round trips)"),
    Workload("w3", "sleeps", 100_000, "s",
             "N tasks, each sleeping 0-10 ms (seeded pseudo-random, real clock), all joined"),
    Workload("w4", "mutex", 100_000, "s",
             f"{MUTEX_TASKS} tasks x N/{MUTEX_TASKS} lock/unlock of one fair mutex, "
             "yielding once inside the critical section"),
    Workload("w5", "idle tasks", 100_000, "B",
             "N tasks all waiting on one event: traced bytes (tracemalloc) per task"),
    Workload("w6", "echo", 50_000, "s",
             f"N echo round trips of {len(ECHO_MESSAGE)} bytes over loopback TCP, "
             f"{ECHO_CONNECTIONS} connections at once (server and clients in one runtime)"),
)
BY_ID = {w.id: w for w in WORKLOADS}


def primitives_source() -> str:
    """Where W2's channel and W4's mutex come from on a stdtask runtime."""
    if CHANNEL.exists() and MUTEX.exists():
        return "solutions/03_channel + 04_mutex"
    return "bench/workloads/primitives.py (no solutions/ here)"


def timer() -> float:
    """Wall-clock seconds; CPU seconds of this process if BENCH_CLOCK=cpu (`--clock cpu`)."""
    if os.environ.get("BENCH_CLOCK") == "cpu":
        return time.process_time()
    return time.perf_counter()


def sleep_durations(n: int) -> list[float]:
    """W3's durations in seconds, uniform in [0, 10 ms), the same list for every runtime."""
    rng = random.Random(SEED)
    return [rng.uniform(0.0, 0.010) for _ in range(n)]


def check(label: str, got: object, expected: object) -> None:
    """A workload that did not do its work must not produce a time."""
    if got != expected:
        raise AssertionError(f"{label}: expected {expected!r}, got {got!r}")


def start_tracing() -> int:
    """W5: start tracemalloc (inside the running root task) and return the baseline."""
    tracemalloc.start()
    return traced_bytes()


def traced_bytes() -> int:
    """Bytes of the Python heap that tracemalloc has seen allocated and not freed."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def per_task(before: int, n: int) -> float:
    """W5's result: the growth since `before`, per idle task; stops tracing."""
    after = traced_bytes()
    tracemalloc.stop()
    return (after - before) / n
