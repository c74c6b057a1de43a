"""Stage 05: a pollster executor: `block_on` runs one future on the current thread.

    Rust (the `pollster` crate)               Python (this file)
    ---------------------------               ------------------
    pollster::block_on(fut)                   block_on(fut)    (a Future or a coroutine)
    struct Signal { Mutex<bool>, Condvar }    class Signal(Waker): cond + notified
    impl Wake for Signal                      Signal.wake()    (the Signal is its own waker)
    condvar.wait / thread::park               Signal.wait()
    thread_local! { ENTERED: Cell<bool> }     a threading.local flag

Guarantees:
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
"""

from __future__ import annotations

import threading
from typing import TypeVar

from stdtask import Context, Ready, Waker, into_future
from stdtask.future import IntoFuture

T = TypeVar("T")


class NestedBlockOn(RuntimeError):
    """`block_on` was called from inside a future that `block_on` is polling, on one thread."""


class Signal(Waker):
    """The parking spot of one `block_on` call, and its waker (Rust: pollster's `Signal`).

    `notified` is a wake not consumed yet; `cond` guards it and parks the waiting thread.
    """

    def __init__(self) -> None:
        super().__init__()
        self.cond = threading.Condition()  # Rust: Condvar, plus the Mutex guarding `notified`
        self.notified = False  # Rust: Mutex<bool>

    def wake(self) -> None:
        """Record the wake, then unpark the waiter. Any thread, any time, even too late."""
        with self.cond:  # Rust: *self.state.lock().unwrap() = true;
            self.notified = True
            self.cond.notify()  # Rust: self.cond.notify_one();

    def wait(self) -> None:
        """Park until a wake has been recorded, then consume it."""
        with self.cond:  # flag and sleep under one lock: no wake slips in between
            while not self.notified:  # a condvar may return with no wake: check again
                self.cond.wait()  # Rust: state = self.cond.wait(state).unwrap();
            self.notified = False


class _Entered(threading.local):
    active = False  # Rust: thread_local! { static ENTERED: Cell<bool> = Cell::new(false) }


_ENTERED = _Entered()


def block_on(future: IntoFuture[T]) -> T:
    """Poll `future` to completion on this thread, sleeping while it is Pending."""
    fut = into_future(future)
    if _ENTERED.active:
        raise NestedBlockOn(
            "block_on() was called inside a future that block_on() is polling on this thread: "
            "it would park the very thread the outer future needs to make progress"
        )
    _ENTERED.active = True
    try:
        signal = Signal()
        cx = Context(signal)  # Rust: Waker::from(Arc::clone(&signal))
        while True:
            match fut.poll(cx):  # Rust: match fut.as_mut().poll(&mut cx)
                case Ready(value):
                    return value
                case _:  # Pending: sleep until the waker sets the flag, then poll again
                    signal.wait()
    finally:
        _ENTERED.active = False  # Rust: a guard whose Drop resets the flag, even on panic
