"""Wait until a thread is parked: blocked in a `threading` wait (a Condition, an Event, a
lock), as an executor is when it has nothing to run.

Tests of wakes from another thread need the wake to arrive *while* the executor sleeps, not
before: the waking thread watches the executor's thread's stack (sys._current_frames) until
its innermost Python frame is a wait of the `threading` module. Observing a state, not timing.
"""

from __future__ import annotations

import sys
import threading
import time

THREADING_FILE = threading.__file__


WAITS = ("wait", "wait_for", "_wait_for_tstate_lock", "acquire")


def is_parked(ident: int) -> bool:
    """Is thread `ident` blocked in a `threading` wait right now (not just starting a thread,
    which waits for the new thread to begin: `Thread.start` waits on an Event too)?"""
    frame = sys._current_frames().get(ident)
    if frame is None or frame.f_code.co_filename != THREADING_FILE or frame.f_code.co_name not in WAITS:
        return False
    while frame is not None:
        if frame.f_code.co_filename == THREADING_FILE and frame.f_code.co_name in ("start", "join"):
            return False
        frame = frame.f_back
    return True


def wait_until_parked(ident: int, limit: float = 5.0) -> bool:
    """Poll (every millisecond, at most `limit` seconds) until thread `ident` is parked."""
    deadline = time.monotonic() + limit  # a bound on waiting, never a verdict by itself
    while time.monotonic() < deadline:
        if is_parked(ident):
            return True
        time.sleep(0.001)
    return False
