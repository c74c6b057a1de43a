"""Read single key presses without blocking, on Windows and POSIX terminals alike."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class KeySource(Protocol):
    def read(self, timeout: float) -> str | None:
        """One key, or None if none was pressed within `timeout` seconds."""


class NoKeys:
    """Standard input is not a terminal: only file changes and Ctrl-C drive the loop."""

    def read(self, timeout: float) -> str | None:
        time.sleep(timeout)
        return None


class WindowsKeys:
    def read(self, timeout: float) -> str | None:
        import msvcrt  # Windows only

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if msvcrt.kbhit():  # type: ignore[attr-defined]
                return msvcrt.getwch()  # type: ignore[attr-defined]
            time.sleep(0.02)
        return None


class PosixKeys:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def read(self, timeout: float) -> str | None:
        import select

        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return None
        data = os.read(self.fd, 1)
        return data.decode(errors="replace") if data else None


ESCAPE_WAIT = 0.05  # seconds: the rest of an escape sequence arrives at once, a lone Esc does not


def read_key(keys: KeySource, timeout: float) -> str | None:
    """One key press, whole: an escape sequence (arrows send "\x1b[A", PgDn "\x1b[6~") or a
    Windows two-character code ("\xe0H") comes back in one piece, so it is never read as Esc
    followed by letters. A lone Esc is "\x1b"; Alt+key is "\x1b" + key. None: no key in time.
    """
    key = keys.read(timeout)
    if key in ("\xe0", "\x00"):  # Windows: arrows, PgUp/PgDn, F-keys are two characters
        return key + (keys.read(ESCAPE_WAIT) or "")
    if key != "\x1b":
        return key
    introducer = keys.read(ESCAPE_WAIT)
    if introducer is None:
        return key
    sequence = key + introducer
    if introducer not in ("[", "O"):  # Alt+key
        return sequence
    while (more := keys.read(ESCAPE_WAIT)) is not None:
        sequence += more
        if "@" <= more <= "~" and (introducer == "O" or more != "["):  # the final character
            break
    return sequence


def keys_work(keys: KeySource) -> bool:
    """Can key presses be read at all (not: standard input is not a console, as in Git Bash)?"""
    return not isinstance(keys, NoKeys)


@contextmanager
def key_source() -> Iterator[KeySource]:
    """Keys from the terminal in cbreak mode (restored on exit), or NoKeys."""
    if not sys.stdin.isatty():
        yield NoKeys()
        return
    if os.name == "nt":
        yield WindowsKeys()
        return
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)  # keys arrive one by one; Ctrl-C still interrupts
        yield PosixKeys(fd)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
