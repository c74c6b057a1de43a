"""Alternative: a heap with eager removal, due timers collected first and woken afterwards.

Cancel takes the entry out at once (filter + heapify); fire_expired pops every due timer
before waking any of them (tokio's WakeList); _park parks for max(0, deadline - now).

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

import heapq
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

    __slots__ = ("deadline", "waker")

    def __init__(self, deadline: float, waker: Waker) -> None:
        self.deadline = deadline
        self.waker: Waker | None = waker


class TimerDriver:
    """The runtime's timers: a min-heap of (deadline, sequence number, entry), kept exact.

    A cancelled entry is taken out of the heap at once (`list.remove` + `heapify`: simple,
    linear). Due timers are first all taken out, then woken in order (tokio's `WakeList`).
    """

    __slots__ = ("_heap", "_seq", "clock")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._heap: list[tuple[float, int, TimerEntry]] = []
        self._seq = 0

    def register(self, deadline: float, waker: Waker) -> TimerEntry:
        entry = TimerEntry(deadline, waker)
        self._seq += 1
        heapq.heappush(self._heap, (deadline, self._seq, entry))
        return entry

    def cancel(self, entry: TimerEntry) -> None:
        if entry.waker is None:
            return
        entry.waker = None
        self._heap = [item for item in self._heap if item[2] is not entry]
        heapq.heapify(self._heap)

    def next_deadline(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def fire_expired(self) -> int:
        now = self.clock.now()
        wake_list: list[Waker] = []
        while self._heap and self._heap[0][0] <= now:
            entry = heapq.heappop(self._heap)[2]
            if entry.waker is not None:
                wake_list.append(entry.waker)
                entry.waker = None
        for waker in wake_list:  # every due timer is out of the heap before any wake
            waker.wake()
        return len(wake_list)

    def __len__(self) -> int:
        return len(self._heap)


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
        now = self._driver.clock.now()
        if now >= self.deadline:
            self._done = True
            self.drop()
            return Ready(None)
        if self._entry is None:
            self._entry = self._driver.register(self.deadline, cx.waker)
        elif self._entry.waker is not None and not self._entry.waker.will_wake(cx.waker):
            self._entry.waker = cx.waker
        return Pending

    def drop(self) -> None:
        if self._entry is not None:
            self._driver.cancel(self._entry)
            self._entry = None


class Elapsed(TimeoutError):
    """The deadline of a `timeout` passed first (Rust: `tokio::time::error::Elapsed`)."""


class Timeout(Future[T]):
    """The inner future's output, or `Elapsed` at the deadline (Rust: `tokio::time::Timeout`)."""

    __slots__ = ("_done", "_inner", "_sleep")

    def __init__(self, inner: Future[T], sleep: Sleep) -> None:
        self._inner = inner
        self._sleep = sleep
        self._done = False

    def poll(self, cx: Context) -> Poll[T]:
        if self._done:
            raise PolledAfterCompletion("Timeout polled after it finished")
        try:
            result = self._inner.poll(cx)
        except BaseException:
            self.drop_sleep()
            raise
        if result is Pending:
            if self._sleep.poll(cx) is Pending:
                return Pending
            self._done = True
            self._inner.drop()
            raise Elapsed(f"deadline has elapsed ({self._sleep.deadline:g})")
        self.drop_sleep()
        return result

    def drop_sleep(self) -> None:
        self._done = True
        self._sleep.drop()

    def drop(self) -> None:
        if not self._done:
            self.drop_sleep()
            self._inner.drop()


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
        """Uses `_wakes_pending()` (in stage 07: a blocking thread runs) to decide on a jump."""
        deadline = self.timers.next_deadline()
        if deadline is not None:
            wait = max(0.0, deadline - self.clock.now())
            if timeout is not None:
                wait = min(wait, timeout)
            with self._lock:
                jump = self.clock.paused and not self._wakes_pending()
            if jump:
                super()._park(0)
                with self._lock:
                    jump = not self._runnable()
                if jump and wait:
                    self.clock.auto_advance(wait)
            else:
                super()._park(wait)
        else:
            super()._park(timeout)
        self.timers.fire_expired()  # nothing to fire without a timer: harmless


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
