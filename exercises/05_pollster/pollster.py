"""Stage 05: a pollster executor: `block_on` runs one future on the current thread.

    Rust (the `pollster` crate)               Python (this file)
    ---------------------------               ------------------
    pollster::block_on(fut)                   block_on(fut)    (a Future or a coroutine)
    struct Signal { Mutex<bool>, Condvar }    class Signal(Waker): cond + notified
    impl Wake for Signal                      Signal.wake()    (the Signal is its own waker)
    condvar.wait / thread::park               Signal.wait()
    thread_local! { ENTERED: Cell<bool> }     a threading.local flag

Guarantees (the hidden tests check each one):
- Polls the future; while it is Pending, the thread sleeps (no CPU) until the waker is woken,
  from any thread; then polls again. Returns the value of `Ready(value)`.
- A wake that arrives while the future is being polled, or before the thread is parked, is
  remembered: the next park returns at once. A condvar wakeup with no wake behind it is not a
  wake: the thread goes back to sleep.
- Each call has its own Signal; a wake after `block_on` returned does nothing and raises
  nothing, and the waker keeps only the Signal alive, not the future.
- An exception from `poll` propagates out of `block_on` (a panic unwinding); afterwards the
  thread can call `block_on` again.
- `block_on` inside a future that `block_on` is polling on the same thread raises
  `NestedBlockOn` (the inner call would park the thread the outer future needs).

Work in this order: `Signal.wake`, `Signal.wait`, then `block_on`.
"""

from __future__ import annotations

import threading
from typing import TypeVar

from stdtask import Context, Poll, Ready, Waker, into_future, todo
from stdtask.future import IntoFuture

T = TypeVar("T")


class NestedBlockOn(RuntimeError):
    """`block_on` was called from inside a future that `block_on` is polling, on one thread."""


class Signal(Waker):
    """The parking spot of one `block_on` call, and its waker (Rust: pollster's `Signal`).

    Its fields are given (keep their names: the tests watch `cond`):
    - `notified`: a wake that happened and was not consumed yet (Rust: `Mutex<bool>`).
    - `cond`: a `threading.Condition`; its lock guards `notified`, and `cond.wait()` is where
      the thread sleeps (Rust: the `Condvar` plus the `Mutex` it works with).
    Being a `Waker` subclass, the Signal *is* the waker: `Context(signal)`, no extra object.
    """

    def __init__(self) -> None:
        super().__init__()
        self.cond = threading.Condition()
        self.notified = False

    def wake(self) -> None:
        """Record the wake and unpark the thread waiting in `wait()`, if any.

        Called from any thread, at any time: during a poll, before the park, or long after
        `block_on` returned (then it must simply do nothing harmful).
        Rust: `impl Wake for Signal { fn wake(..) { *lock = true; cond.notify_one() } }`.
        """
        todo()

    def wait(self) -> None:
        """Sleep until a wake has been recorded, then consume it (so the next wait sleeps).

        - A wake recorded before `wait()` was called makes it return at once.
        - `cond.wait()` may return although nobody called `wake()` (a spurious wakeup):
          that is not a wake.
        Rust: `while !*woken { woken = cond.wait(woken).unwrap(); } *woken = false;`
        (`thread::park` has the same rules: an earlier `unpark` counts; it may return spuriously.)
        """
        todo()


def block_on(future: IntoFuture[T]) -> T:
    """Poll `future` (a Future or a coroutine: `into_future`) to completion on this thread.

    - One fresh `Signal` per call, the future's waker for every poll: `Context(signal)`.
    - `Ready(value)`: return `value`. `Pending`: `signal.wait()`, then poll again.
    - Exceptions from `poll` propagate; the thread can call `block_on` again afterwards.
    - Called while this thread is already inside `block_on`: raise `NestedBlockOn`
      (remember "inside block_on" per thread: `threading.local`, Rust's `thread_local!`).
    Rust: `pollster::block_on(fut)`.
    """
    todo()
