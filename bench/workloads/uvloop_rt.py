"""The asyncio workloads on uvloop's event loop (libuv); not available on Windows."""

from __future__ import annotations

import uvloop

from bench.workloads import asyncio_rt


def run(workload: str, size: int) -> float:
    return asyncio_rt.run(workload, size, runner=uvloop.run)
