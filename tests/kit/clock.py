"""A virtual clock: time moves only when a test says so, or when the executor is idle.

Like tokio's paused clock (`tokio::time::pause`) and trio's `MockClock(autojump_threshold=0)`:
tests with timers run instantly and exactly. The runtime's clock interface is two methods:

- `now()`: the current time, in seconds.
- `park(timeout)`: the executor has nothing to do for `timeout` seconds. A real clock
  sleeps; this one jumps ahead at once (idle auto-advance) and records the timeout, so a
  test can check what the executor waited for (`parks`).

`advance(seconds)` moves time forward by hand (a test's "meanwhile, 2 s pass").
"""

from __future__ import annotations

from kit.failures import fail


class VirtualClock:
    """Starts at `start`; advances only through `advance()` and `park()`."""

    def __init__(self, start: float = 0.0, *, park_hint: str = "park_timeout") -> None:
        self._now = start
        self.parks: list[float] = []  # every park timeout, in order
        self.park_hint = park_hint

    def now(self) -> float:
        return self._now

    def park(self, timeout: float) -> None:
        if timeout < 0:
            fail(self.park_hint, f"The executor parked with a negative timeout ({timeout:g} s) "
                                 f"at t={self._now:g}: it computed the timeout from a deadline "
                                 "that had already passed.")
        self.parks.append(timeout)
        self._now += timeout

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass (without the executor parking)."""
        self._now += seconds

    def __repr__(self) -> str:
        return f"<VirtualClock t={self._now:g}>"
