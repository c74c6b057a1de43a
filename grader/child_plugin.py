"""The pytest plugin loaded in the child process that runs one stage's hidden tests.

It writes one JSON object per line to the report file, flushed as it goes, so that the
parent learns what happened even if the interpreter dies in the middle of a test:

    {"event": "load_error", ...}   the attendee's file could not be loaded
    {"event": "start", "name"}     a test began
    {"event": "result", ...}       a test finished: status, hint, message, location
    {"event": "timeout", ...}      the watchdog stopped a test that ran too long

Hangs are caught by a watchdog thread, not by signals, so this works on Windows too.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import threading
import traceback
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, NoReturn, TextIO

import pytest

TIMEOUT_EXIT_CODE = 70
_real_exit = os._exit  # the watchdog's way out; attendee calls go through _recorded_exit
LOADING = "loading "  # the name a timeout gets while the attendee's file is being imported


class Reporter:
    def __init__(self, path: Path, stage_id: str, target: Path, test_timeout: float) -> None:
        self.stream: TextIO = open(path, "a", encoding="utf-8")
        self.stage_id = stage_id
        self.target = target
        self.test_timeout = test_timeout
        self.timer: threading.Timer | None = None
        self.main_thread = threading.main_thread().ident
        self.lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        with self.lock:
            self.stream.write(json.dumps(record) + "\n")
            self.stream.flush()

    # --- where in the attendee's code? ------------------------------------------------
    def in_target(self, filename: str) -> bool:
        try:
            return Path(filename).resolve().is_relative_to(self.target)
        except (OSError, ValueError):
            return False

    def location_from_traceback(self, tb: TracebackType | None) -> dict[str, Any] | None:
        found = None
        for frame, lineno in traceback.walk_tb(tb):
            if self.in_target(frame.f_code.co_filename):
                found = (frame.f_code.co_filename, lineno, frame.f_code.co_name)
        return self.describe(found)

    def location_from_frame(self, frame: FrameType | None) -> dict[str, Any] | None:
        while frame is not None:
            if self.in_target(frame.f_code.co_filename):
                return self.describe(
                    (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
                )
            frame = frame.f_back
        return None

    def describe(self, found: tuple[str, int, str] | None) -> dict[str, Any] | None:
        if found is None:
            return None
        filename, lineno, function = found
        try:
            line = Path(filename).read_text(encoding="utf-8").splitlines()[lineno - 1].strip()
        except (OSError, IndexError, UnicodeDecodeError):
            line = ""
        return {"file": _relative(filename), "line": lineno, "function": function, "code": line}

    # --- the watchdog -----------------------------------------------------------------
    def arm(self, name: str) -> None:
        self.disarm()
        self.timer = threading.Timer(self.test_timeout, self.on_timeout, args=(name,))
        self.timer.daemon = True
        self.timer.start()

    def disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def on_timeout(self, name: str) -> None:
        frame = sys._current_frames().get(self.main_thread)  # type: ignore[arg-type]
        self.write(
            {
                "event": "timeout",
                "name": name,
                "seconds": self.test_timeout,
                "location": self.location_from_frame(frame),
            }
        )
        _real_exit(TIMEOUT_EXIT_CODE)  # the main thread is stuck; only leaving ends it


def _recorded_exit(code: int) -> NoReturn:
    if _reporter is not None:
        location = _reporter.location_from_frame(sys._getframe(1))
        _reporter.write({"event": "exit", "code": code, "location": location})
    _real_exit(code)


def _relative(filename: str) -> str:
    try:
        return Path(filename).resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return filename


_reporter: Reporter | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grade")
    group.addoption("--grade-report", help="JSON-lines file the results are written to")
    group.addoption("--grade-stage", help="the stage id being graded, e.g. 01_future")
    group.addoption("--grade-test-timeout", type=float, default=10.0)


def pytest_configure(config: pytest.Config) -> None:
    global _reporter
    report = config.getoption("--grade-report")
    if not report:
        return
    from kit.loader import set_target, target_dir

    set_target(config.getoption("--target"))  # don't rely on conftest running first
    report_path = Path(report)
    # A hard crash (segfault, abort) prints the Python stack here, so the parent can name
    # the attendee's line; os._exit is wrapped to record its caller before leaving.
    faulthandler.enable(open(report_path.with_suffix(".faults"), "w"), all_threads=False)
    os._exit = _recorded_exit
    _reporter = Reporter(
        Path(report),
        config.getoption("--grade-stage"),
        target_dir().resolve(),
        config.getoption("--grade-test-timeout"),
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """Load the attendee's files before any test, so a broken file is one clear message."""
    if _reporter is None:
        return
    from grader.catalogue import find_stage
    from kit.loader import load_stage, stage_file

    stage = find_stage(_reporter.stage_id)
    assert stage is not None, f"unknown stage {_reporter.stage_id}"
    for filename in stage.files:
        module = filename.removesuffix(".py")
        path = stage_file(stage.id, module)
        if not path.exists():
            _reporter.write(
                {
                    "event": "load_error",
                    "kind": "missing_file",
                    "file": _relative(str(path)),
                    "message": "file not found",
                }
            )
            pytest.exit("stage file missing", returncode=3)
        _reporter.arm(LOADING + _relative(str(path)))  # an endless loop at import time
        try:
            load_stage(stage.id, module)
        except BaseException as error:  # anything at import time: report, don't crash
            _reporter.write(_load_error(error, path))
            pytest.exit("stage file does not load", returncode=3)
        finally:
            _reporter.disarm()


def _load_error(error: BaseException, path: Path) -> dict[str, Any]:
    assert _reporter is not None
    record: dict[str, Any] = {
        "event": "load_error",
        "kind": type(error).__name__,
        "message": str(error) or type(error).__name__,
    }
    if isinstance(error, SyntaxError):
        record.update(
            file=_relative(error.filename or str(path)),
            line=error.lineno,
            column=error.offset,
            code=(error.text or "").rstrip("\n"),
            message=error.msg,
        )
    else:
        where = _reporter.location_from_traceback(error.__traceback__)
        record.update(where or {"file": _relative(str(path))})
    return record


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    if _reporter is not None:
        name = nodeid.split("::", 1)[-1]
        _reporter.write({"event": "start", "name": name})
        _reporter.arm(name)


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    if _reporter is not None:
        _reporter.disarm()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if _reporter is None:
        return
    name = item.nodeid.split("::", 1)[-1]
    marker = item.get_closest_marker("hint")
    default_hint = marker.args[0] if marker else None
    if report.when == "call" and report.passed:
        _reporter.write(
            {"event": "result", "name": name, "status": "passed", "hint": None, "message": ""}
        )
    elif report.failed and call.excinfo is not None:
        expected = tuple(marker.kwargs.get("raises", ())) if marker else ()
        _reporter.write(
            {
                "event": "result",
                "name": name,
                "status": "failed",
                **classify(call.excinfo.value, default_hint, expected),
            }
        )


UNEXPECTED_HINT = "your_code_raised"


def classify(
    error: BaseException,
    default_hint: str | None,
    expected: tuple[type[BaseException], ...] = (),
) -> dict[str, Any]:
    """Turn an exception from a test into (hint, message, location), in the attendee's terms.

    An exception raised in the attendee's code that the test did not name as its symptom
    (`@pytest.mark.hint(id, raises=(TypeError,))`) is shown as itself, at its line, under the
    `your_code_raised` hint: a NameError is not evidence of the mistake the test looks for.
    """
    from kit.failures import HintedFailure
    from stdtask import ContextExpired, TodoError

    assert _reporter is not None
    where = _reporter.location_from_traceback(error.__traceback__)
    if isinstance(error, HintedFailure):
        return {"hint": error.hint, "message": error.message, "location": where}
    if isinstance(error, TodoError):
        return {"hint": "not_started", "message": str(error), "location": where}
    if isinstance(error, ContextExpired):
        return {"hint": "context_outlived_poll", "message": f"Your code {error}", "location": where}
    if isinstance(error, SystemExit):
        message = f"Your code called sys.exit({error.code!r}) during the test."
    elif isinstance(error, RecursionError):
        message = (
            "Your code recursed without end (RecursionError): a function that calls itself "
            "with no way to stop, or two that call each other."
        )
    elif isinstance(error, AssertionError):
        message = str(error) or "An assertion in the test failed."
    else:
        text = str(error)
        message = f"Your code raised {type(error).__name__}" + (f": {text}" if text else ".")
        if where is None:
            message = f"The test got {type(error).__name__}" + (f": {text}" if text else ".")
        elif not isinstance(error, expected):
            return {"hint": UNEXPECTED_HINT, "message": message, "location": where}
    return {"hint": default_hint, "message": message, "location": where}
