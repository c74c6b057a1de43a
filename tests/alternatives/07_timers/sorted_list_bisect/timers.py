"""Alternative: a list kept sorted with bisect.insort instead of a heap.

Cancelled entries are removed at once (found by bisection); Sleep replaces its waker on
every Pending poll (no will_wake shortcut); Timeout written with `match`.

Stage 07: timers in the runtime (Rust: tokio's time driver, `tokio::time`).

    Rust (tokio)                              Python (this file)
    ------------                              ------------------
    tokio::time::sleep(dur)                   sleep(seconds)
    tokio::time::sleep_until(deadline)        sleep_until(deadline)
    tokio::time::timeout(dur, fut)            timeout(seconds, fut)   (raises Elapsed)
    Instant::now() / the runtime's clock      now() / Executor(clock=...)
    tokio::time::pause() (test-util)          a virtual clock: idle auto-advance

The executor is stage 06's answer, given beside this file (spawn.py), extended by
subclassing: the timer layer overrides its `_park(timeout)` hook, as tokio's time driver
wraps the thread parker. After every round it fires the timers that are due; when nothing
is runnable it parks on the executor's condition until the earliest deadline, so a wake
from another thread ends the park at once. The clock is injectable (`Clock`): the real one
is `time.monotonic()`; a paused (virtual) one moves only when advanced, and the idle
executor jumps it to the next deadline, like tokio's `time::pause()` auto-advance.

Guarantees:
- Never early: a Sleep is Ready only once `clock.now() >= deadline`.
- Due timers fire in deadline order, and in registration order (FIFO) on equal deadlines.
- Dropping a Sleep (or a Timeout) removes its entry: it wakes nobody later.
- A Sleep registers once; a re-poll only replaces the stored waker (the latest one counts).
- Parking lasts until the earliest deadline, computed after the round's polls (a task may
  have just registered an earlier timer), or until a wake from another thread.
- Expired timers fire after every round, also while tasks are busy (a task that is always
  runnable cannot starve a timer: tokio's driver runs every `event_interval` ticks).
- A paused clock never jumps ahead while a `spawn_blocking` thread runs (tokio's
  `inhibit_auto_advance`): its result may be what the runtime waits for.
- Root Pending, no task runnable, no timer set, no blocking thread running: `block_on`
  raises `Deadlock`, not a hang.
- Everything of stage 06 holds: one queue entry per task, JoinHandle, abort, shutdown.
"""

from __future__ import annotations

import bisect
import itertools
import time
from typing import Protocol, TypeVar

# Given: stage 06's answer (this folder's spawn.py, a copy of solutions/06_spawn/spawn.py).
import spawn as stage06
from spawn import Cancelled, Deadlock, JoinHandle, Spawnable, spawn, spawn_blocking

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker, into_future

__all__ = [
    "Cancelled", "Clock", "Deadlock", "Elapsed", "Executor", "JoinHandle", "Sleep", "SystemClock",
    "Timeout", "TimerDriver", "TimerEntry", "block_on", "now", "sleep", "sleep_until", "spawn",
    "spawn_blocking", "timeout",
]

T = TypeVar("T")


# --- the clock (injectable) --------------------------------------------------------------


class Clock(Protocol):
    """What the runtime needs from a clock (Rust: tokio's clock, `tokio::time::pause()`).

    The executor never sleeps through the clock: it parks on its own condition, with the
    time to the next deadline as the timeout, so a wake from another thread ends the park.
    """

    paused: bool
    """True for virtual time, which moves only when advanced: an idle executor then jumps
    to its next deadline (`auto_advance`) instead of waiting (tokio: `time::pause()`)."""

    def now(self) -> float:
        """Seconds on this clock's timeline (only differences matter, like `Instant`)."""
        ...

    def auto_advance(self, seconds: float) -> None:
        """A paused clock only: let `seconds` (>= 0) pass at once; the idle executor calls
        it to jump to its next deadline (tokio: the driver's `clock.advance(duration)`)."""
        ...


class SystemClock:
    """Real time, `time.monotonic()` (tokio's default clock); never paused."""

    __slots__ = ()
    paused = False

    def now(self) -> float:
        return time.monotonic()

    def auto_advance(self, seconds: float) -> None:
        raise RuntimeError("the system clock is not paused: real time cannot jump ahead "
                           "(tokio: \"time is not frozen\")")


# --- the timer driver --------------------------------------------------------------------


class TimerEntry:
    """One registered timer: its deadline and the waker to wake (None once fired or cancelled)."""

    __slots__ = ("deadline", "seq", "waker")

    def __init__(self, deadline: float, seq: int, waker: Waker) -> None:
        self.deadline = deadline
        self.seq = seq
        self.waker: Waker | None = waker


class TimerDriver:
    """The runtime's timers: a list kept sorted by (deadline, sequence number).

    `bisect.insort` keeps it sorted on insert; the earliest timer is at index 0. A
    cancelled entry is removed at once (found by bisection), so every entry is live.
    """

    __slots__ = ("_seq", "_timers", "clock")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._timers: list[tuple[float, int, TimerEntry]] = []
        self._seq = itertools.count()

    def register(self, deadline: float, waker: Waker) -> TimerEntry:
        entry = TimerEntry(deadline, next(self._seq), waker)
        bisect.insort(self._timers, (deadline, entry.seq, entry))
        return entry

    def cancel(self, entry: TimerEntry) -> None:
        if entry.waker is None:
            return  # fired or cancelled already: not in the list any more
        entry.waker = None
        i = bisect.bisect_left(self._timers, (entry.deadline, entry.seq))
        del self._timers[i]

    def next_deadline(self) -> float | None:
        return self._timers[0][0] if self._timers else None

    def fire_expired(self) -> int:
        fired = 0
        now = self.clock.now()
        while self._timers and self._timers[0][0] <= now:
            entry = self._timers.pop(0)[2]
            waker, entry.waker = entry.waker, None
            assert waker is not None
            fired += 1
            waker.wake()
        return fired

    def __len__(self) -> int:
        return len(self._timers)


class Sleep(Future[None]):
    """Ready once the clock reaches `deadline` (Rust: `tokio::time::Sleep`)."""

    __slots__ = ("_done", "_driver", "_entry", "deadline")

    def __init__(self, driver: TimerDriver, deadline: float) -> None:
        self._driver = driver
        self.deadline = deadline
        self._entry: TimerEntry | None = None
        self._done = False

    def poll(self, cx: Context) -> Poll[None]:
        if self._done:
            raise PolledAfterCompletion("Sleep polled after it returned Ready")
        if self.deadline <= self._driver.clock.now():
            self._done = True
            self.drop()
            return Ready(None)
        if self._entry is None:
            self._entry = self._driver.register(self.deadline, cx.waker)
        elif self._entry.waker is not None:
            self._entry.waker = cx.waker  # always the latest (no will_wake shortcut)
        return Pending

    def drop(self) -> None:
        if self._entry is not None:
            self._driver.cancel(self._entry)
            self._entry = None


class Elapsed(TimeoutError):
    """The deadline of a `timeout` passed first (Rust: `tokio::time::error::Elapsed`)."""


class Timeout(Future[T]):
    """The inner future's output, or `Elapsed` at the deadline (Rust: `tokio::time::Timeout`)."""

    __slots__ = ("_inner", "_sleep")

    def __init__(self, inner: Future[T], sleep: Sleep) -> None:
        self._inner: Future[T] | None = inner
        self._sleep: Sleep | None = sleep

    def poll(self, cx: Context) -> Poll[T]:
        inner, sleep = self._inner, self._sleep
        if inner is None or sleep is None:
            raise PolledAfterCompletion("Timeout polled after it finished")
        try:
            match inner.poll(cx):
                case Ready(value):
                    self._finish()
                    return Ready(value)
        except Exception:
            self._finish()
            raise
        match sleep.poll(cx):
            case Ready():
                inner.drop()
                self._finish()
                raise Elapsed("deadline has elapsed")
        return Pending

    def _finish(self) -> None:
        sleep, self._inner, self._sleep = self._sleep, None, None
        if sleep is not None:
            sleep.drop()

    def drop(self) -> None:
        inner = self._inner
        self._finish()
        if inner is not None:
            inner.drop()


# --- the executor: stage 06's, plus the timer layer -----------------------------------------


class Executor(stage06.Executor):
    """Stage 06's executor (given, spawn.py) with a clock and a timer driver.

    The timer layer of the driver stack: it overrides `_park`, which block_on calls after
    every round (tokio: the time driver wraps the thread parker).
    """

    __slots__ = ("clock", "timers")

    def __init__(self, clock: Clock | None = None) -> None:
        super().__init__()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.timers = TimerDriver(self.clock)

    def _park(self, timeout: float | None) -> None:
        """A busy round (timeout 0) is handled first, on its own: look, fire, return."""
        if timeout == 0:
            super()._park(0)
            self.timers.fire_expired()
            return
        deadline = self.timers.next_deadline()
        if deadline is None:
            super()._park(timeout)
            return
        now = self.clock.now()
        wait = deadline - now if deadline > now else 0.0
        if timeout is not None and timeout < wait:
            wait = timeout
        can_jump = self.clock.paused and self._blocking == 0
        if can_jump:
            super()._park(0)
            with self._lock:
                if not self._runnable() and wait > 0:
                    self.clock.auto_advance(wait)  # under the lock: no wake slips in between
        else:
            super()._park(wait)
        self.timers.fire_expired()


def _runtime() -> Executor:
    """The timer executor running on this thread (Rust: tokio's thread-local runtime handle)."""
    executor = getattr(stage06._current, "executor", None)
    if not isinstance(executor, Executor):
        raise RuntimeError("called outside block_on(): there is no executor with timers running "
                           "on this thread (Rust: \"there is no reactor running\")")
    return executor


def block_on(root: Spawnable[T], *, clock: Clock | None = None) -> T:
    """Run `root` on a fresh executor (Rust: `Runtime::new().block_on(root)`)."""
    return Executor(clock).block_on(root)


def now() -> float:
    """The running executor's clock (Rust: `tokio::time::Instant::now()`)."""
    return _runtime().clock.now()


def sleep_until(deadline: float) -> Sleep:
    """A Sleep on the running executor's timers (Rust: `tokio::time::sleep_until`)."""
    return Sleep(_runtime().timers, deadline)


def sleep(seconds: float) -> Sleep:
    """Sleep for `seconds` from now (Rust: `tokio::time::sleep`)."""
    runtime = _runtime()
    return Sleep(runtime.timers, runtime.clock.now() + seconds)


def timeout(seconds: float, future: Spawnable[T]) -> Timeout[T]:
    """`future`'s output, or `Elapsed` after `seconds` (Rust: `tokio::time::timeout`)."""
    runtime = _runtime()
    return Timeout(into_future(future), Sleep(runtime.timers, runtime.clock.now() + seconds))
