"""Stage 08: an I/O reactor — the runtime serves real sockets (Rust: mio + tokio's I/O driver).

Your part (the `todo()`s), in this order: the Reactor (register, deregister, turn, len);
the I/O futures Accept, Read and WriteAll (poll and drop; read the given Connect first:
it is the pattern); the two `close()`s; the executor's three hooks; then the capstone,
`echo` and `serve`. Everything else is given, and stage 07's runtime is in `timers.py`
beside this file (given: import from it, never edit it).

    Rust (mio / tokio)                        Python (this file)
    ------------------                        ------------------
    mio::Poll + Registry                      Reactor (on `selectors`: epoll, kqueue, select)
    Registry::register(src, Token, Interest)  reactor.register(sock, READABLE | WRITABLE, waker)
    Registry::deregister(src)                 reactor.deregister(sock, interest=None)
    Poll::poll(&mut events, timeout)          reactor.turn(timeout): select, then wake
    mio::Waker (eventfd / self-pipe)          SelfPipe (a socketpair; given)
    tokio::net::TcpListener::accept()         listener.accept() -> Accept -> (TcpStream, addr)
    AsyncReadExt::read(&mut buf)              stream.read(n) -> Read -> bytes (b"" = end of stream)
    AsyncWriteExt::write_all(buf)             stream.write_all(data) -> WriteAll -> None
    TcpStream::connect(addr)                  TcpStream.connect(addr) -> Connect (given)

The runtime is stage 07's (spawn + timers), given in `timers.py` beside this file. This
stage subclasses its Executor, like tokio's driver stack: the time driver wraps the I/O
driver, which wraps the thread parker. The executor's innermost wait becomes
`selector.select(timeout)`, with the timer layer's earliest deadline as the timeout, so
timers and I/O share one park.

The readiness model (mio, epoll, kqueue): the OS says "this socket is *probably* ready";
the program then tries the syscall itself. Every I/O future here follows one loop:
    try the syscall on the non-blocking socket
    -> it worked: Ready (and the future's interest, if any, is withdrawn)
    -> BlockingIOError ("would block"): register interest with the *current* waker, Pending
A wake from the reactor only means "try again": the syscall may still say "would block"
(a spurious readiness), and then the future registers again.

Guarantees:
- Interest before Pending: an I/O future returns Pending only after `register` stored
  this poll's waker for its socket and direction (the reactor then holds the waker).
- The latest waker: a re-poll replaces the stored waker; readiness wakes only the waker of
  the latest poll (tokio: "only the Waker from the Context passed to the most recent call
  is scheduled to receive a wakeup").
- One-shot interest: `turn` wakes each ready interest's waker once and forgets that
  interest (its socket leaves the selector once it has no interest left), like
  EPOLLONESHOT / tokio clearing readiness: a socket nobody waits for never wakes anyone,
  and a ready socket nobody reads never makes `select` return again and again.
- Readiness is a hint: after a wake the syscall may still raise BlockingIOError; the
  future registers again and returns Pending, never fails.
- End of stream: `read` returns b"" when the peer closed its side, every time after that.
- One direction each: a read and a write_all may wait on one stream at once; a future
  that returns Ready (or is dropped) withdraws only its own direction's interest.
- Polled after Ready: every I/O future raises PolledAfterCompletion (like Connect).
- Partial writes: `send` may take only part of the data; `write_all` continues from where
  it stopped, in order, until every byte is sent.
- Drop: a dropped I/O future withdraws its interest; so does one that returns Ready;
  `close()` deregisters the socket *before* closing it (a closed descriptor left in the
  selector makes `select` fail, or a reused descriptor number wakes the wrong task).
- No busy wait: with nothing runnable the executor blocks in `select` until a socket is
  ready, the earliest timer is due, or a wake arrives from another thread (the self-pipe).
- Deadlock: nothing runnable, no timer, no blocking task, no registered interest: nothing
  can ever wake the root, so `block_on` raises `Deadlock` (stage 06's rule, one layer up).
- A paused (virtual) clock still jumps to the next timer when nothing is runnable, even
  while sockets wait (stage 07's rule; tokio's paused clock does the same): use the real
  clock, the default, with real sockets.
"""

from __future__ import annotations

import errno
import selectors
import socket
from typing import Any, TypeVar

import timers
from timers import (  # re-exported (__all__): this module is the stage's whole runtime
    Cancelled,
    Clock,
    Deadlock,
    Elapsed,
    JoinHandle,
    SystemClock,
    now,
    sleep,
    sleep_until,
    spawn,
    spawn_blocking,
    timeout,
)

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker, todo

T = TypeVar("T")

READABLE = selectors.EVENT_READ  # mio: Interest::READABLE
WRITABLE = selectors.EVENT_WRITE  # mio: Interest::WRITABLE
ADDRESS = tuple[str, int]


# --- given: the self-pipe (mio's Waker) ------------------------------------------------------


class SelfPipe:
    """Lets another thread interrupt a blocked `select` (mio: `Waker`, an eventfd on Linux).

    A connected socket pair (portable: Windows has no `select` on pipes). `wake()` writes a
    byte to one end, which makes the other end readable, so a `select` that watches it
    returns. `drain()` reads the bytes back. Given.
    Optimisation: one byte is enough until the next `drain()`, so later wakes skip the write.
    """

    __slots__ = ("_armed", "_reader", "_writer")

    def __init__(self) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._armed = False  # a byte is in the pipe, not yet drained

    @property
    def reader(self) -> socket.socket:
        """The end to register with the selector, for READABLE."""
        return self._reader

    def wake(self) -> None:
        """Make `reader` readable. Any thread; never blocks."""
        if self._armed:
            return
        self._armed = True
        try:
            self._writer.send(b"\0")
        except (BlockingIOError, InterruptedError):
            pass  # the pipe is full: it is readable already

    def drain(self) -> None:
        """Read every byte: `reader` is no longer readable until the next `wake()`."""
        try:
            while self._reader.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        self._armed = False  # after reading: a wake from now on writes again

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


_SELF_PIPE = object()  # the selector key data of the self-pipe (mio: its Token)


# --- the reactor --------------------------------------------------------------------------


class Reactor:
    """Readiness of sockets -> wakes of the tasks waiting for them (mio's Poll + Registry).

    `selector`: injectable (tests pass a spy); default `selectors.DefaultSelector()`.
    The reactor keeps, for each registered socket and direction (READABLE, WRITABLE), the
    one waker to wake when that direction is ready. The selector watches exactly the
    registered interests, plus the self-pipe's reader (registered with `_SELF_PIPE` as its
    key's data: when it is ready, drain it, it wakes no waker).
    A socket is in a selector at most once (`selector.register` raises KeyError for a second
    time: use `selector.modify(sock, events, data)` to change its events); a ready key's
    events are a bit mask of READABLE and WRITABLE; `key.data` is whatever you registered
    it with (mio: the Token). Only the executor's thread calls these methods, except
    `wake()`, which any thread may call.
    """

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        self.selector = selector if selector is not None else selectors.DefaultSelector()
        self.self_pipe = SelfPipe()
        self.selector.register(self.self_pipe.reader, READABLE, _SELF_PIPE)  # given
        # Your bookkeeping here: for each registered socket and direction, its waker.

    def register(self, sock: socket.socket, interest: int, waker: Waker) -> None:
        """Wake `waker` once, when `sock` is ready for `interest` (READABLE or WRITABLE).

        A second registration of the same socket and direction replaces the stored waker
        (the latest one counts); the other direction is untouched.
        Rust: `Registry::register` / `reregister`, and tokio's `poll_read_ready`.
        """
        todo()

    def deregister(self, sock: socket.socket, interest: int | None = None) -> None:
        """Withdraw `sock`'s interest in `interest` (None: both directions); nothing if none.

        Its waker is forgotten, not woken. A socket with no interest left leaves the
        selector. Call it before `sock.close()` (Rust: `Registry::deregister`).
        """
        todo()

    def turn(self, timeout: float | None) -> int:
        """Wait up to `timeout` seconds (None: no limit; 0: only look) for readiness, then
        wake the waker of every ready interest and forget that interest. Returns how many
        wakers it woke. Returns early (waking nobody) when `wake()` is called from another
        thread. Rust: `Poll::poll(&mut events, timeout)` and tokio's driver dispatching
        each event to its ScheduledIo."""
        todo()

    def wake(self) -> None:
        """Interrupt a `turn` blocked in another thread (given; mio: `Waker::wake`)."""
        self.self_pipe.wake()

    def __len__(self) -> int:
        """Registered (socket, direction) pairs: interests a wake may still come from."""
        todo()

    def close(self) -> None:
        """Close the selector and the self-pipe (given)."""
        self.selector.close()
        self.self_pipe.close()


# --- the executor: stage 07's, parked in the reactor ----------------------------------------


class Executor(timers.Executor):
    """Stage 07's executor (spawn + timers) whose park is the reactor's `select`.

    The three hooks of the layer below (RUNTIME_CONTRACT: tokio's driver stack):
    - `_block(timeout)`: called with `_lock` held: releases it around `reactor.turn(timeout)`,
      so wakes from other threads can queue tasks meanwhile (Rust: the I/O driver's park).
    - `_unpark()`: called with `_lock` held by every wake: also interrupts a `select` in
      progress through the self-pipe (Rust: `Unparker::unpark` -> `mio::Waker::wake`).
    - `_wakes_pending()`: a registered interest is a wake that may still come.
    """

    def __init__(self, clock: Clock | None = None,
                 selector: selectors.BaseSelector | None = None) -> None:
        super().__init__(clock)
        self.reactor = Reactor(selector)  # given

    def _block(self, timeout: float | None) -> None:
        """Wait in the reactor: `reactor.turn(timeout)` (None: no limit; 0: only look).

        Called with `_lock` held (stage 06's `_park`, under stage 07's timeout: the time to
        the earliest deadline); release it for the turn, hold it again when returning, even
        if the turn raised. Never select with timeout 0 in a loop: the layers above call
        again as long as nothing is runnable (a busy wait). Rust: tokio's I/O driver park.
        """
        todo()

    def _unpark(self) -> None:
        """Called with `_lock` held by every wake, from any thread: do what stage 06 does
        (`super()._unpark()`) and make a `select` in progress return (`reactor.wake()`).
        Rust: `Unparker::unpark` -> `mio::Waker::wake`."""
        todo()

    def _wakes_pending(self) -> bool:
        """Can a wake still come from outside? Stage 06's answer (a blocking thread is
        running), or: some interest is registered (the peer may still send). With neither,
        `block_on` raises Deadlock. Called with `_lock` held."""
        todo()

    def close(self) -> None:
        """Release the reactor's selector and self-pipe (given)."""
        self.reactor.close()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def block_on(root: Any, *, clock: Clock | None = None,
             selector: selectors.BaseSelector | None = None) -> Any:
    """Run `root` on a fresh executor with a reactor (Rust: `Runtime::new().block_on`). Given."""
    with Executor(clock, selector) as executor:
        return executor.block_on(root)


def current_reactor() -> Reactor:
    """The reactor of the executor running on this thread (Rust: tokio's `Handle::current()`).
    Raises RuntimeError outside `block_on` (tokio: "there is no reactor running"). Given."""
    executor = timers._runtime()
    reactor = getattr(executor, "reactor", None)
    if reactor is None:
        raise RuntimeError("there is no reactor running: block_on of this file's Executor")
    return reactor


# --- the I/O futures ----------------------------------------------------------------------


class Connect(Future["TcpStream"]):
    """Connect to `address` (Rust: `TcpStream::connect`). Given: read it first, it is the
    pattern of every I/O future below.

    A non-blocking `connect` starts the handshake and says "would block"; the socket becomes
    writable when the handshake is done (or failed): then SO_ERROR tells which.
    """

    def __init__(self, address: ADDRESS, reactor: Reactor | None) -> None:
        self._reactor = reactor if reactor is not None else current_reactor()
        self._address = address
        self._sock: socket.socket | None = None
        self._done = False

    def poll(self, cx: Context) -> Poll[TcpStream]:
        if self._done:
            raise PolledAfterCompletion("Connect polled after it returned Ready")
        if self._sock is None:  # the first poll: start connecting
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._sock.setblocking(False)
            error = self._sock.connect_ex(self._address)
        else:  # woken: the handshake finished, or the wake was spurious
            error = self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error == 0:
                try:
                    self._sock.getpeername()  # raises while still connecting
                except OSError:
                    error = -1  # not connected yet: a spurious readiness
        if error == -1 or error in _IN_PROGRESS:
            self._reactor.register(self._sock, WRITABLE, cx.waker)  # interest before Pending
            return Pending
        self._reactor.deregister(self._sock, WRITABLE)
        self._done = True
        if error != 0:
            self._sock.close()
            raise ConnectionError(error, f"connect to {self._address} failed")
        sock, self._sock = self._sock, None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return Ready(TcpStream(sock, self._reactor))

    def drop(self) -> None:
        if self._sock is not None and not self._done:
            self._reactor.deregister(self._sock)
            self._sock.close()


# connect_ex's "started, not done yet" (Windows: WSAEWOULDBLOCK)
_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY,
                getattr(errno, "WSAEWOULDBLOCK", errno.EWOULDBLOCK)}


class Accept(Future[tuple["TcpStream", ADDRESS]]):
    """Accept one connection (Rust: `TcpListener::accept`): Ready((TcpStream, peer address)).

    Every poll tries `listener.sock.accept()`. BlockingIOError (no connection waiting, also
    after a wake: readiness is a hint) -> register READABLE interest for the listener with
    this poll's waker, then Pending. A connection -> withdraw any interest still registered
    (the task may have been woken by something else), Ready. `drop()` withdraws it too.
    The accepted socket is wrapped in a TcpStream on the same reactor.
    """

    def __init__(self, listener: TcpListener) -> None:
        self._listener = listener
        self._done = False

    def poll(self, cx: Context) -> Poll[tuple[TcpStream, ADDRESS]]:
        todo()

    def drop(self) -> None:
        todo()


class Read(Future[bytes]):
    """Up to `n` bytes from the stream (Rust: `AsyncReadExt::read`); b"" = end of stream.

    Every poll tries `sock.recv(n)`. BlockingIOError (nothing yet, also after a wake) ->
    register READABLE interest with this poll's waker, then Pending. Data -> withdraw any
    interest still registered, Ready(data). b"" is not "nothing yet": the peer closed its
    side, Ready(b"") (and every read after it answers the same). `drop()` withdraws the
    interest.
    """

    def __init__(self, stream: TcpStream, n: int) -> None:
        self._stream = stream
        self._n = n
        self._done = False

    def poll(self, cx: Context) -> Poll[bytes]:
        todo()

    def drop(self) -> None:
        todo()


class WriteAll(Future[None]):
    """Send every byte of `data`, in order (Rust: `AsyncWriteExt::write_all`).

    `sock.send(rest)` may take only part of `rest` and returns how many bytes: the next send
    starts right after them (`sendall` cannot be used on a non-blocking socket: it raises
    midway without saying how much it sent). BlockingIOError (the send buffer is full, also
    after a wake) -> register WRITABLE interest with this poll's waker, then Pending. Every
    byte sent -> withdraw any interest still registered, Ready(None). `drop()` withdraws it.
    """

    def __init__(self, stream: TcpStream, data: bytes) -> None:
        self._stream = stream
        self._data = data
        self._done = False

    def poll(self, cx: Context) -> Poll[None]:
        todo()

    def drop(self) -> None:
        todo()


# --- the socket types ---------------------------------------------------------------------


class TcpListener:
    """A listening socket on the reactor (Rust: `tokio::net::TcpListener`)."""

    def __init__(self, sock: socket.socket, reactor: Reactor | None = None) -> None:
        """Wrap a bound, listening socket; it is made non-blocking. `reactor`: None = the
        running executor's (outside `block_on`: RuntimeError). Given."""
        sock.setblocking(False)
        self.sock = sock
        self.reactor = reactor if reactor is not None else current_reactor()

    @classmethod
    def bind(cls, address: ADDRESS = ("127.0.0.1", 0), reactor: Reactor | None = None,
             backlog: int = 1024) -> TcpListener:
        """Bind and listen (port 0: the OS picks a free port, see `local_addr()`). Given."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(address)
            sock.listen(backlog)
        except OSError:
            sock.close()
            raise
        return cls(sock, reactor)

    def local_addr(self) -> ADDRESS:
        return self.sock.getsockname()[:2]

    def accept(self) -> Accept:
        return Accept(self)

    def close(self) -> None:
        """Withdraw every interest in the socket, then close it (in that order: a closed
        socket's `fileno()` is -1). Rust: dropping the listener."""
        todo()


class TcpStream:
    """A connected socket on the reactor (Rust: `tokio::net::TcpStream`).

    One reader and one writer at a time (like tokio's `poll_read_ready`/`poll_write_ready`:
    one waker slot per direction)."""

    def __init__(self, sock: socket.socket, reactor: Reactor | None = None) -> None:
        """Wrap a connected socket (a `socket.socketpair()` end works too); it is made
        non-blocking. `reactor`: None = the running executor's. Given."""
        sock.setblocking(False)
        self.sock = sock
        self.reactor = reactor if reactor is not None else current_reactor()

    @staticmethod
    def connect(address: ADDRESS, reactor: Reactor | None = None) -> Connect:
        return Connect(address, reactor)

    def read(self, n: int) -> Read:
        return Read(self, n)

    def write_all(self, data: bytes) -> WriteAll:
        return WriteAll(self, data)

    def shutdown_write(self) -> None:
        """Close our sending side: the peer reads end of stream (Rust: `shutdown().await`)."""
        self.sock.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        """Withdraw every interest in the socket, then close it (in that order: a closed
        socket's `fileno()` is -1). Rust: dropping the stream."""
        todo()


# --- the capstone: an echo server ------------------------------------------------------------


async def echo(stream: TcpStream) -> int:
    """Send back everything read from `stream` until end of stream, then close it; returns
    how many bytes were echoed (Rust: `tokio::io::copy(&mut rd, &mut wr)`)."""
    todo()


async def serve(listener: TcpListener, connections: int) -> int:
    """Accept `connections` clients, echo each one in its own task, and return the bytes
    echoed in all once every client is done (Rust: the accept loop of tokio's echo example)."""
    todo()


__all__ = [
    "READABLE", "WRITABLE", "Accept", "Cancelled", "Clock", "Connect", "Deadlock", "Elapsed",
    "Executor", "JoinHandle", "Reactor", "Read", "SelfPipe", "SystemClock", "TcpListener",
    "TcpStream", "WriteAll", "block_on", "current_reactor", "echo", "now", "serve", "sleep",
    "sleep_until", "spawn", "spawn_blocking", "timeout",
]
