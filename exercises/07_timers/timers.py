"""Stage 07: timers in the runtime (Rust: tokio's time driver, `tokio::time`).

    Rust (tokio)                              Python (this file)
    ------------                              ------------------
    tokio::time::sleep(dur)                   sleep(seconds)
    tokio::time::sleep_until(deadline)        sleep_until(deadline)
    tokio::time::timeout(dur, fut)            timeout(seconds, fut)   (raises Elapsed)
    Instant::now() / the runtime's clock      now() / Executor(clock=...)
    tokio::time::pause() (test-util)          a virtual clock: idle auto-advance

Your part: the timer driver, Sleep, Timeout and the executor's `_park` (the `todo()`s).

This folder hands out stage 06's answer: spawn.py is a copy of solutions/06_spawn/spawn.py
(given: do not edit it; `grade reset 7` restores it). This file imports it and
extends its executor by subclassing, as tokio's time driver wraps the thread parker: after
every round `block_on` calls `self._park(timeout)` (`0` while something is runnable, `None`
when nothing is), and your override fires the timers that are due and, when idle, parks
until the earliest deadline. It parks on the executor's condition (`super()._park(t)`), so a
wake from another thread ends the park at once. The clock is injectable (`Clock`): the real
one is `time.monotonic()`; a paused (virtual) one moves only when advanced, and the idle
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

import heapq
import itertools
import time
from typing import Protocol, TypeVar

# Given: stage 06's answer (this folder's spawn.py, a copy of solutions/06_spawn/spawn.py).
import spawn as stage06
from spawn import Cancelled, Deadlock, JoinHandle, Spawnable, spawn, spawn_blocking

from stdtask import (
    Context,
    Future,
    Pending,
    Poll,
    PolledAfterCompletion,
    Ready,
    Waker,
    into_future,
    todo,
)

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

    __slots__ = ("deadline", "waker")

    def __init__(self, deadline: float, waker: Waker) -> None:
        self.deadline = deadline
        self.waker: Waker | None = waker


class TimerDriver:
    """The runtime's timers (Rust: tokio's time driver; the workshop's `BinaryHeap`).

    - `register(deadline, waker)` -> an entry; `cancel(entry)`; `next_deadline()`;
      `fire_expired()`; `len(driver)`: the number of live timers.
    - Due timers fire in deadline order; equal deadlines fire in registration order (FIFO).
    - A cancelled timer wakes nobody and no longer counts.
    Python's `heapq` keeps a list as a min-heap of whatever you push (it compares items
    with `<`).
    """

    def __init__(self, clock: Clock) -> None:
        """No timer yet. Keep `clock` as a public attribute (the executor and Sleep read it)."""
        todo()

    def register(self, deadline: float, waker: Waker) -> TimerEntry:
        """Wake `waker` once the clock reaches `deadline`; return the entry (to cancel it later).

        Among equal deadlines, the first registered fires first.
        """
        todo()

    def cancel(self, entry: TimerEntry) -> None:
        """Remove `entry`: it must wake nobody (a dropped Sleep, a Timeout whose future won).

        Nothing happens if it already fired or was cancelled.
        """
        todo()

    def next_deadline(self) -> float | None:
        """The earliest deadline among live timers, or None if there is none."""
        todo()

    def fire_expired(self) -> int:
        """Wake every live timer whose deadline is <= `clock.now()`, earliest first; return how many.

        Each fires once: afterwards it is gone from the driver. Dead entries wake nobody.
        """
        todo()

    def __len__(self) -> int:
        """How many live (registered, not fired, not cancelled) timers there are."""
        todo()


class Sleep(Future[None]):
    """Ready once the clock reaches `deadline` (Rust: `tokio::time::Sleep`).

    - Never early: Ready only when `now >= deadline` (a spurious poll before is Pending).
    - The first Pending poll registers one timer entry; a re-poll only updates its waker.
    - `drop()` before Ready cancels the entry.
    """

    def __init__(self, driver: TimerDriver, deadline: float) -> None:
        """Lazy, like every future: nothing is registered before the first poll.

        Keep `deadline` as a public attribute.
        """
        todo()

    def poll(self, cx: Context) -> Poll[None]:
        """Ready(None) once `now >= deadline`; else make sure the latest waker will be woken.

        - Never early: only the clock decides, not the fact that you were polled or woken.
        - First Pending poll: register one entry with the driver.
        - Later Pending polls: do not register again; update the entry's waker if it changed
          (`will_wake`).
        - Ready: an entry still registered must not wake anyone later.
        - Polled after Ready: raise PolledAfterCompletion.
        """
        todo()

    def drop(self) -> None:
        """Dropped before Ready (Rust's Drop): cancel the entry so it wakes nobody."""
        todo()


class Elapsed(TimeoutError):
    """The deadline of a `timeout` passed first (Rust: `tokio::time::error::Elapsed`)."""


class Timeout(Future[T]):
    """The inner future's output, or `Elapsed` at the deadline (Rust: `tokio::time::Timeout`).

    The inner future is polled first, so a future that is ready at the deadline still wins.
    Whichever side loses is dropped.
    """

    def __init__(self, inner: Future[T], sleep: Sleep) -> None:
        """`inner` (the future) against `sleep` (its deadline)."""
        todo()

    def poll(self, cx: Context) -> Poll[T]:
        """Poll the inner future first; if Pending, poll the sleep.

        - Inner Ready (or raising): drop the sleep, return (or re-raise).
        - Sleep Ready: drop the inner future, raise `Elapsed`.
        - Polled after it finished: raise PolledAfterCompletion.
        """
        todo()

    def drop(self) -> None:
        """Dropped before it finished: drop both the inner future and the sleep."""
        todo()


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
        """The timer layer of the parking (block_on calls it after every round; 06's is given).

        `timeout`: `0` while something is runnable (fire what is due, do not wait), `None`
        when nothing is (wait for the earliest deadline, or a wake). Rust: tokio's time
        driver, `park_timeout(min(timeout, next_deadline - now))`.
        - No timer at all: `super()._park(timeout)` (stage 06's rule: it raises `Deadlock`
          when nothing can ever wake the root).
        - Otherwise wait at most until the earliest deadline (and at most `timeout`), then
          `self.timers.fire_expired()`. Read the deadline here, after the round: a task may
          just have registered an earlier one.
        - Wait with `super()._park(seconds)`: it sleeps on the executor's condition, so a
          wake from another thread ends it early. Never `time.sleep`. Never a negative
          time: on a real clock the deadline may have passed since the round looked.
        - A paused clock (`self.clock.paused`) does not wait, it jumps: look once
          (`super()._park(0)`), and if still nothing is runnable (`self._runnable()`, under
          `self._lock`), `self.clock.auto_advance(seconds)` to the deadline. Not while a
          `spawn_blocking` thread runs (`self._blocking > 0`): then wait like a real clock
          (tokio: `inhibit_auto_advance`).
        """
        todo()


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
