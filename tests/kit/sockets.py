"""Sockets for I/O tests: loopback only, no fixed ports, small buffers, and a spy selector.

- `socket_pair()`: two connected sockets (`socket.socketpair()`: AF_UNIX on POSIX, a
  loopback TCP pair on Windows), with small buffers so a write fills them quickly.
- `fill(sock)` / `drain(sock)`: send until the buffer is full / read everything available.
- `SpySelector`: a real `selectors.DefaultSelector` that records every `select(timeout)`
  and can run a hook *before* each one (the hook plays the outside world: a peer that sends,
  another thread that wakes), so a test never sleeps to synchronise: whatever the runtime
  waits for happens exactly when it starts waiting.
"""

from __future__ import annotations

import selectors
import socket
from collections.abc import Callable, Mapping
from typing import Any

BUFFER = 4096  # bytes: SO_SNDBUF / SO_RCVBUF asked for (the OS may round it up)


def socket_pair(buffers: int | None = BUFFER) -> tuple[socket.socket, socket.socket]:
    """Two connected sockets; both blocking (the code under test makes its end non-blocking)."""
    a, b = socket.socketpair()
    if buffers is not None:
        for sock in (a, b):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, buffers)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffers)
    return a, b


def fill(sock: socket.socket) -> int:
    """Send zero bytes into `sock` until its buffers are full; returns how many were sent."""
    blocking = sock.getblocking()
    sock.setblocking(False)
    total = 0
    try:
        while True:
            total += sock.send(b"\0" * 65536)
    except (BlockingIOError, InterruptedError):
        return total
    finally:
        sock.setblocking(blocking)


def drain(sock: socket.socket) -> bytes:
    """Read everything `sock` has right now (b"" if nothing; stops at end of stream too)."""
    blocking = sock.getblocking()
    sock.setblocking(False)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (BlockingIOError, InterruptedError):
        pass
    finally:
        sock.setblocking(blocking)
    return b"".join(chunks)


Hook = Callable[["SpySelector", "float | None"], None]


class SpySelector(selectors.BaseSelector):
    """A DefaultSelector that records each `select(timeout)` and runs `hook` before it.

    `timeouts`: every timeout select was called with, in order; `ready`: how many events
    each call returned; `hook(spy, timeout)`: called before the real select.
    """

    def __init__(self, hook: Hook | None = None) -> None:
        self.inner = selectors.DefaultSelector()
        self.hook = hook
        self.timeouts: list[float | None] = []
        self.ready: list[int] = []
        self.closed = False

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self.inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self.inner.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self.inner.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        self.timeouts.append(timeout)
        if self.hook is not None:
            self.hook(self, timeout)
        events = self.inner.select(timeout)
        self.ready.append(len(events))
        return events

    def close(self) -> None:
        self.closed = True
        self.inner.close()

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self.inner.get_map()

    @property
    def blocking_calls(self) -> int:
        """Calls that could wait (timeout None or > 0)."""
        return sum(1 for t in self.timeouts if t is None or t > 0)

    @property
    def zero_calls(self) -> int:
        """Calls that only looked (timeout 0 or less)."""
        return sum(1 for t in self.timeouts if t is not None and t <= 0)

    def events_of(self, fd: int) -> int:
        """The events the selector watches for `fd` (0: not watched)."""
        for key in self.inner.get_map().values():
            if key.fd == fd:
                return key.events
        return 0

    @staticmethod
    def describe(events: int) -> str:
        names = [n for bit, n in ((selectors.EVENT_READ, "READABLE"),
                                  (selectors.EVENT_WRITE, "WRITABLE")) if events & bit]
        return " | ".join(names) or "nothing"

    def watched(self) -> set[int]:
        """File descriptors the selector watches right now."""
        return {key.fd for key in self.inner.get_map().values()}
