"""The contract between the grading child and its parent, in one place (no pytest: the parent stays light).

- The **run request**: what the parent tells a waiting child (`RunRequest`), one JSON line on
  the child's standard input, sent only once the child is ready (Python, pytest, the kit and
  the grader's plugin imported): the stage, the target, the channel and its per-run key. So
  neither the channel nor the key ever appears in the child's argv or environment.
- The **events**: what the child writes on the channel, one signed line each (`sign`). Each
  event is declared once below with `_event(...)`, which gives its name constant, its fields
  and its one-line meaning; the child writes records only through `record(...)`, which refuses
  an undeclared event or field, and the parent reads them by the same constants. The child
  plugin's docstring lists `describe()`: the list and the code agree by construction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from typing import Any

LOADING = "loading "  # the name of the phase while the attendee's file is being imported
AT_EXIT = "(when the tests were over)"  # the name of the phase after the last test
DEFAULT_TEST_TIMEOUT = 10.0  # seconds per test (`grade --timeout`); the hidden tests take milliseconds


def sign(key: bytes, seq: int, payload: str) -> str:
    """The tag of the `seq`-th line on the results channel: HMAC-SHA256 with the run's key."""
    return hmac.new(key, f"{seq}:{payload}".encode(), hashlib.sha256).hexdigest()[:32]


# --- the events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventSpec:
    name: str
    fields: tuple[str, ...]  # always present
    optional: tuple[str, ...]  # present when known
    meaning: str


EVENTS: dict[str, EventSpec] = {}


def _event(name: str, fields: tuple[str, ...], meaning: str, optional: tuple[str, ...] = ()) -> str:
    EVENTS[name] = EventSpec(name, fields, optional, meaning)
    return name


PHASE = _event("phase", ("name",), "the attendee's file is being imported, or the exit hooks run")
LOAD_ERROR = _event("load_error", ("kind", "message"), "the attendee's file could not be loaded",
                    optional=("file", "line", "column", "code", "function"))
START = _event("start", ("name",), "a test began")
RESULT = _event("result", ("name", "status", "hint", "message"),
                "a test finished: status, hint, message, location, its output",
                optional=("location", "output"))
SKIPPED = _event("skipped", ("name",), "the hidden tests skipped this test themselves")
BEAT = _event("beat", (), "the watchdog is alive (the parent's check for a stuck child)")
TIMEOUT = _event("timeout", ("name", "seconds", "wall", "why", "location"),
                 "the watchdog stopped a test that was stuck (why: busy, blocked, backstop)")
EXIT = _event("exit", ("code", "location"), "the attendee's code called os._exit, with its line")
THREAD = _event("thread", ("thread", "name", "location"),
                "a thread the attendee's code started was still running at the end")
SOLUTIONS = _event("solutions", ("path", "location"), "the attendee's code opened a file of solutions/")
TAMPER = _event("tamper", ("name", "what"), "pytest's machinery was replaced, or a test body never ran")
END = _event("end", ("exitstatus",), "the run is over (written last, then the process exits)")

STOPPING = frozenset({TIMEOUT, LOAD_ERROR, END})  # after these, no test is running any more


def record(event: str, **fields: Any) -> dict[str, Any]:
    """One record of `event`; a ValueError (a bug in the grader) if it is not as declared."""
    spec = EVENTS.get(event)
    if spec is None:
        raise ValueError(f"undeclared event {event!r} (declare it in grader/protocol.py)")
    missing = set(spec.fields) - fields.keys()
    unknown = fields.keys() - set(spec.fields) - set(spec.optional)
    if missing or unknown:
        raise ValueError(f"event {event!r}: missing {sorted(missing)}, undeclared {sorted(unknown)}")
    return {"event": event, **fields}


def describe() -> str:
    """The events as a docstring table: `{"event": "result", "name", ...}   meaning`."""
    lines = []
    for spec in EVENTS.values():
        shown = ", ".join([f'"event": "{spec.name}"', *(f'"{f}"' for f in spec.fields),
                           *(f'"{f}"?' for f in spec.optional)])
        lines.append(f"    {{{shown}}}\n        {spec.meaning}")
    return "\n".join(lines) + "\n"


# --- the run request --------------------------------------------------------------------------
RUN, COLLECT = "run", "collect"


@dataclass
class RunRequest:
    """What one child is asked to do, sent as one JSON line on its standard input."""

    mode: str  # RUN: grade the stage, reporting on the channel; COLLECT: only list its tests
    stage: str  # the stage id, e.g. "01_future"
    test_file: str  # the hidden tests, relative to the repository
    target: str  # exercises, solutions, or a folder laid out like them
    test_timeout: float = DEFAULT_TEST_TIMEOUT
    first_failure: bool = False  # stop at the first failing test (pytest -x)
    key: str = ""  # hex: the HMAC key of the channel (RUN)
    fd: int | None = None  # the channel's write end: a file descriptor (POSIX) ...
    handle: int | None = None  # ... or an inherited handle (Windows)
    faults: str = ""  # where faulthandler writes the stacks of a hard crash (RUN)
    listing: str = ""  # where the test names are written (COLLECT)

    def line(self) -> bytes:
        return (json.dumps(asdict(self)) + "\n").encode("ascii")

    @classmethod
    def parse(cls, line: bytes) -> RunRequest:
        return cls(**json.loads(line.decode("ascii")))
