"""Turn a hang into a failing test with a hint, without signals (works on Windows too).

The body runs in a daemon thread; if it has not finished after `seconds`, the test fails
with `hint`. A stuck daemon thread is left behind, which is fine in a throwaway test process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from kit.failures import fail

T = TypeVar("T")


def watchdog(body: Callable[[], T], *, seconds: float, hint: str, message: str) -> T:
    """Run `body()`; return its result, re-raise its exception, or fail if it hangs."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = body()
        except BaseException as error:  # re-raised in the test's thread below
            outcome["error"] = error

    worker = threading.Thread(target=run, name="watchdog-body", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        fail(hint, f"{message} (still running after {seconds:g} s)")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
