"""The terminal `grade` writes to: never a crash on a character, no padding in a pipe."""

from __future__ import annotations

import sys
from typing import TextIO

# What the screens use beyond ASCII, and what stands in for it on a terminal that can't show it.
_ASCII = {"\u2014": "-", "\u2013": "-", "\u00b7": "-", "\u201c": '"', "\u201d": '"', "\u2018": "'",
          "\u2019": "'", "\u2026": "...", "\u2192": "->", "\u2190": "<-", "\u2713": "v", "\u2717": "x"}


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeEncodeError)
    text = error.object[error.start:error.end]
    return "".join(_ASCII.get(ch, "?") for ch in text), error.end


class TrimmedLines:
    """A text stream that drops the spaces rich pads each line with, for output that is not a
    terminal (a pipe, a file, a log): `grade list > x` has no trailing blanks to diff or copy."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.pending = ""  # the unfinished last line of what was written so far

    def write(self, text: str) -> int:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        if lines:
            self.stream.write("\n".join(line.rstrip(" ") for line in lines) + "\n")
        return len(text)

    def flush(self) -> None:
        if self.pending.strip(" ") == "":
            self.pending = ""  # trailing blanks only: nothing to keep
        self.stream.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    def fileno(self) -> int:
        return self.stream.fileno()


def safe_streams() -> None:
    """On a terminal that is not UTF-8 (ascii, latin-1, cp437, LC_ALL=C), never crash on a
    character: rich already draws ASCII boxes there; the rest is replaced by a stand-in."""
    import codecs

    codecs.register_error("grade-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "\u2014\u00b7\u201c\u2026\u256d".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            try:
                stream.reconfigure(errors="grade-ascii")  # type: ignore[union-attr]
            except (AttributeError, ValueError):
                pass
