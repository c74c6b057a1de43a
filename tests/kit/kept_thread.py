"""A worker thread that stays alive between jobs, so a test can look at what it keeps.

`watchdog` runs its body on a fresh thread that ends with the body: anything the code under
test parked in a `threading.local` dies with that thread, so a leak into thread-local state
goes unseen. `KeptThread` runs each job on one long-lived thread (the "calling thread" of
the code under test) and keeps that thread alive until the test closes it, so the test can
check, while the thread still lives, what is still referenced.

    with KeptThread("block-on-thread") as thread:
        ref = thread.call(body, hint="waker_leak", what="block_on(...)")
        gc.collect()
        expect(ref() is None, ...)      # the calling thread is still alive here
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from kit.failures import fail

T = TypeVar("T")

LIMIT = 2.0  # seconds: only a hang catcher


class KeptThread:
    """One daemon thread that runs the jobs given to `call`, one at a time, until `close`."""

    def __init__(self, name: str = "kept-thread") -> None:
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            job()
            del job  # hold nothing of a finished job while waiting for the next one

    def call(self, body: Callable[[], T], *, hint: str, what: str,
             seconds: float = LIMIT) -> T:
        """Run `body()` on the kept thread; return its result or re-raise its exception.

        If it has not finished after `seconds`, fail with `hint` ("<what> did not return").
        """
        outcome: queue.Queue[tuple[bool, Any]] = queue.Queue()

        def job() -> None:
            try:
                outcome.put((True, body()))
            except BaseException as error:  # re-raised on the test's thread
                outcome.put((False, error))

        self._jobs.put(job)
        try:
            ok, value = outcome.get(timeout=seconds)
        except queue.Empty:
            fail(hint, f"{what} did not return (still running after {seconds:g} s)")
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Let the thread end (after its current job, if one is stuck it stays a daemon)."""
        self._jobs.put(None)

    def __enter__(self) -> KeptThread:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
