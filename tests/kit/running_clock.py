"""A clock that runs like real time, without real time: never paused, and it moves between reads.

The paused clocks of the kit (kit/clock.py, kit/ticking_clock.py) take the executor's paused
path: when idle it jumps them with `auto_advance`. Real time takes the other path: the
executor never jumps it; it parks on its condition for the time left, and must fire what is
due after every round because time passed meanwhile. `RunningClock` takes that real-clock
path deterministically:

- `paused = False` (stage 07's `Clock` protocol): like `SystemClock`, it cannot jump, and
  `auto_advance` raises RuntimeError as `SystemClock.auto_advance` does.
- `now()` returns a time `step` later than the previous read, starting at `start` (time
  passes while the executor works, one tick per read).

Use it where the executor is never idle with a timer pending (its park would then wait for
real, `deadline - now` seconds): e.g. a busy task and a timer that must fire meanwhile.
"""

from __future__ import annotations


class RunningClock:
    """Never paused; every `now()` is `step` later than the previous one."""

    paused = False

    def __init__(self, step: float, start: float = 0.0) -> None:
        self.step = step
        self._now = start
        self.reads = 0

    def now(self) -> float:
        self._now += self.step
        self.reads += 1
        return self._now

    def auto_advance(self, seconds: float) -> None:
        raise RuntimeError("this clock is not paused (it runs like real time, as SystemClock "
                           "does): it cannot jump ahead")

    def __repr__(self) -> str:
        return f"<RunningClock t={self._now:g} step={self.step:g}>"
