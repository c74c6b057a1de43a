"""A scripted clock that behaves like real time where a virtual clock cannot: it moves between reads.

A virtual clock (kit/clock.py) stands still between two reads, so code that reads the time
twice sees the same value twice. Real time does not: between `fire_expired()` reading the
clock and `_park()` reading it again, a deadline may just have passed. `TickingClock`
reproduces that without real time and without timing assertions:

- `now()` returns a time `step` later than the previous read (every read ticks), starting
  at `start`.
- It is paused (stage 07's `Clock` protocol): the idle executor jumps it with
  `auto_advance(seconds)`, which refuses a negative time as `time.sleep` does (a
  `ValueError`, `"sleep length must be non-negative"`, the real message); `parks` records
  every jump.

Deterministic: the same reads give the same times, run after run.
"""

from __future__ import annotations

NEGATIVE_PARK = "sleep length must be non-negative"  # time.sleep's own message


class TickingClock:
    """Every `now()` is `step` later than the previous one; `auto_advance` refuses negative times."""

    paused = True

    def __init__(self, step: float, start: float = 0.0) -> None:
        self.step = step
        self._now = start
        self.reads = 0
        self.parks: list[float] = []

    def now(self) -> float:
        self._now += self.step
        self.reads += 1
        return self._now

    def auto_advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(NEGATIVE_PARK)  # exactly what time.sleep(-0.1) raises
        self.parks.append(seconds)
        self._now += seconds

    def __repr__(self) -> str:
        return f"<TickingClock t={self._now:g} step={self.step:g}>"
