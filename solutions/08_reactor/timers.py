"""Stage 07: timers in the runtime (Rust: tokio's time driver, `tokio::time`).

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

    __slots__ = ("deadline", "waker")

    def __init__(self, deadline: float, waker: Waker) -> None:
        self.deadline = deadline
        self.waker: Waker | None = waker


class TimerDriver:
    """The runtime's timers: a min-heap ordered by (deadline, sequence number).

    Rust: tokio's time driver (a timer wheel); the workshop's `BinaryHeap<Reverse<..>>`.
    Python's `heapq` is already a min-heap. The sequence number makes equal deadlines fire
    in registration order, and means a tie never compares two entries (they are not
    orderable: comparing them would raise TypeError).
    A cancelled entry stays in the heap, marked (waker None), until it reaches the top;
    `len(driver)` counts only live entries.
    Trade-off: cancelling is O(1) but a dead entry holds memory until it is popped (or the
    heap is rebuilt below); tokio's hierarchical timer wheel inserts and removes in O(1)
    from intrusive lists, at the cost of a coarse (1 ms) resolution.
    """

    __slots__ = ("_heap", "_live", "_seq", "clock")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._heap: list[tuple[float, int, TimerEntry]] = []
        self._seq = itertools.count()  # tie-breaker: FIFO among equal deadlines
        self._live = 0

    def register(self, deadline: float, waker: Waker) -> TimerEntry:
        """Wake `waker` once the clock reaches `deadline`; returns the entry (to cancel it)."""
        entry = TimerEntry(deadline, waker)
        heapq.heappush(self._heap, (deadline, next(self._seq), entry))
        self._live += 1
        return entry

    def cancel(self, entry: TimerEntry) -> None:
        """Remove `entry`: it will wake nobody. Nothing if it already fired or was cancelled."""
        if entry.waker is None:
            return
        entry.waker = None
        self._live -= 1
        if len(self._heap) > 64 and self._live < len(self._heap) // 2:
            # Mostly dead entries (many timeouts that did not elapse): rebuild the heap.
            self._heap = [item for item in self._heap if item[-1].waker is not None]
            heapq.heapify(self._heap)

    def next_deadline(self) -> float | None:
        """The earliest live deadline, or None if no timer is set."""
        heap = self._heap
        while heap and heap[0][-1].waker is None:
            heapq.heappop(heap)  # cancelled: really remove it now
        return heap[0][-1].deadline if heap else None

    def fire_expired(self) -> int:
        """Wake, in deadline order, every timer whose deadline has passed; how many woke."""
        heap = self._heap
        now = self.clock.now()
        fired = 0
        while heap:
            entry = heap[0][-1]
            if entry.waker is not None and entry.deadline > now:
                break  # the earliest live timer is not due: none after it is
            heapq.heappop(heap)
            waker, entry.waker = entry.waker, None
            if waker is not None:
                self._live -= 1
                fired += 1
                waker.wake()
        return fired

    def __len__(self) -> int:
        return self._live


class Sleep(Future[None]):
    """Ready once the clock reaches `deadline` (Rust: `tokio::time::Sleep`).

    - Never early: Ready only when `now >= deadline` (a spurious poll before is Pending).
    - The first Pending poll registers one timer entry; a re-poll only updates its waker.
    - `drop()` before Ready cancels the entry.
    """

    __slots__ = ("_done", "_driver", "_entry", "deadline")

    def __init__(self, driver: TimerDriver, deadline: float) -> None:
        self._driver = driver
        self.deadline = deadline
        self._entry: TimerEntry | None = None
        self._done = False

    def poll(self, cx: Context) -> Poll[None]:
        if self._done:
            raise PolledAfterCompletion("Sleep polled after it returned Ready")
        if self._driver.clock.now() >= self.deadline:
            self._done = True
            if self._entry is not None:  # due, but polled before the driver fired it
                self._driver.cancel(self._entry)
                self._entry = None
            return Ready(None)
        entry = self._entry
        if entry is None:
            self._entry = self._driver.register(self.deadline, cx.waker)
        elif entry.waker is not None and not entry.waker.will_wake(cx.waker):
            entry.waker = cx.waker  # the latest waker counts (Rust: `waker.clone_from(..)`)
        return Pending

    def drop(self) -> None:
        entry, self._entry = self._entry, None
        if entry is not None:
            self._driver.cancel(entry)  # dropped before Ready: remove the timer


class Elapsed(TimeoutError):
    """The deadline of a `timeout` passed first (Rust: `tokio::time::error::Elapsed`)."""


class Timeout(Future[T]):
    """The inner future's output, or `Elapsed` at the deadline (Rust: `tokio::time::Timeout`).

    The inner future is polled first, so a future that is ready at the deadline still wins.
    Whichever side loses is dropped.
    """

    __slots__ = ("_done", "_inner", "_sleep")

    def __init__(self, inner: Future[T], sleep: Sleep) -> None:
        self._inner = inner
        self._sleep = sleep
        self._done = False

    def poll(self, cx: Context) -> Poll[T]:
        if self._done:
            raise PolledAfterCompletion("Timeout polled after it returned Ready")
        try:
            result = self._inner.poll(cx)
        except BaseException:
            self._done = True
            self._sleep.drop()
            raise
        if result is not Pending:
            self._done = True
            self._sleep.drop()  # the inner future won: its timer goes
            return result
        if self._sleep.poll(cx) is not Pending:
            self._done = True
            self._inner.drop()  # the deadline won: the inner future is cancelled
            raise Elapsed(f"deadline has elapsed ({self._sleep.deadline:g})")
        return Pending

    def drop(self) -> None:
        if not self._done:
            self._done = True
            self._inner.drop()
            self._sleep.drop()


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
        """Park at most until the earliest deadline, then fire the timers that are due.

        Rust: tokio's time driver, `park_timeout(min(timeout, next_deadline - now))`.
        """
        deadline = self.timers.next_deadline()  # read now, after the round: it may have added one
        if deadline is None:
            super()._park(timeout)  # no timer: stage 06's rule (Deadlock if nothing can wake)
            return
        wait = max(deadline - self.clock.now(), 0.0)  # a real clock may have passed it already
        if timeout is not None:
            wait = min(wait, timeout)  # 0 while tasks are runnable: fire, do not wait
        if self.clock.paused and not self._blocking:
            # Virtual time may jump (tokio: auto-advance), unless a blocking thread runs, whose
            # result may be what everyone waits for (tokio: `inhibit_auto_advance`).
            super()._park(0)  # a look first: a wake from another thread beats the jump
            with self._lock:
                idle = not self._runnable()
            if idle and wait > 0:
                self.clock.auto_advance(wait)
        else:
            super()._park(wait)  # on the condition: a wake from another thread ends it early
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
