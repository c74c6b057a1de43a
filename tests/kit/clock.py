"""A virtual clock: time moves only when a test says so, or when the executor is idle.

Like tokio's paused clock (`tokio::time::pause`) and trio's `MockClock(autojump_threshold=0)`:
tests with timers run instantly and exactly. It implements stage 07's `Clock` protocol:

- `paused = True`: virtual time; an idle executor jumps it instead of waiting.
- `now()`: the current time, in seconds; `reads` counts the calls (did a poll look at
  this clock at all?).
- `auto_advance(seconds)`: the idle executor jumps to its next deadline. It records the jump,
  so a test can check what the executor waited for (`parks`), and refuses a negative one.

`advance(seconds)` moves time forward by hand (a test's "meanwhile, 2 s pass"); it is not
recorded in `parks`.
"""

from __future__ import annotations

from kit.failures import fail


class VirtualClock:
    """Starts at `start`; advances only through `advance()` and `auto_advance()`."""

    paused = True

    def __init__(self, start: float = 0.0, *, park_hint: str = "park_timeout") -> None:
        self._now = start
        self.reads = 0  # calls of now()
        self.parks: list[float] = []  # every jump of the idle executor, in order
        self.park_hint = park_hint

    def now(self) -> float:
        self.reads += 1
        return self._now

    def auto_advance(self, seconds: float) -> None:
        if seconds < 0:
            fail(self.park_hint, f"The executor jumped the clock by a negative time ({seconds:g} s) "
                                 f"at t={self._now:g}: it computed the wait from a deadline "
                                 "that had already passed.")
        self.parks.append(seconds)
        self._now += seconds

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass (without the executor parking)."""
        self._now += seconds

    def __repr__(self) -> str:
        return f"<VirtualClock t={self._now:g}>"
