"""The pytest plugin loaded in the child process that runs one stage's hidden tests.

The parent hands it a channel before any of the attendee's code is imported: with
`--grade-channel`, the first line on standard input names an inherited pipe and a per-run
key; the plugin reads that line at import time, so neither appears in `argv`, in the
environment or on standard input afterwards. Every record it writes on the pipe is one line,
`<hmac> <json>`, signed with the key and numbered implicitly (the parent checks the order),
flushed as it goes, so the parent learns what happened even if the interpreter dies:

    {"event": "phase", "name"}     the attendee's file is being imported, or the exit hooks run
    {"event": "load_error", ...}   the attendee's file could not be loaded
    {"event": "start", "name"}     a test began
    {"event": "result", ...}       a test finished: status, hint, message, location
    {"event": "beat", "cpu"}       the watchdog is alive (the parent's check for a stuck child)
    {"event": "timeout", ...}      the watchdog stopped a test that was stuck
    {"event": "exit", ...}         the attendee's code called os._exit, with its line
    {"event": "thread", ...}       a thread the attendee's code started was still running
    {"event": "solutions", ...}    the attendee's code opened a file of solutions/
    {"event": "tamper", ...}       pytest's machinery was replaced, or a test body never ran
    {"event": "end", "exitstatus"} the run is over (written last, then the process exits)

Hangs are caught by a watchdog thread, not by signals, so this works on Windows too. It
tells slow from stuck by CPU time: a test that keeps the CPU busy for the whole limit is
stuck in a loop; a test that used (almost) no CPU for the limit is blocked; a test that
makes progress on a loaded machine is neither, up to a generous wall-clock backstop.

With `--grade-collect=PATH` the plugin only writes the collected test names to PATH.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, NoReturn

import pytest

from grader.protocol import AT_EXIT, LOADING, sign

TIMEOUT_EXIT_CODE = 70
BACKSTOP_FACTOR = 6  # a test may take this many times its limit in wall-clock time if it progresses
BLOCKED_CPU_SHARE = 0.01  # below this share of one CPU over the limit, a test is waiting, not working
_real_exit = os._exit  # the watchdog's way out; attendee calls go through _recorded_exit


def _read_handshake() -> tuple[int, bytes] | None:
    """The channel and key, from the first line of standard input (then nothing is left there)."""
    if "--grade-channel" not in sys.argv:
        return None
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(0, 1)
        if not chunk:
            break
        line += chunk
    data = json.loads(line.decode("ascii"))
    if "handle" in data:  # Windows: an inherited handle, not a C file descriptor
        import msvcrt

        fd = msvcrt.open_osfhandle(data["handle"], os.O_WRONLY)  # type: ignore[attr-defined]
    else:
        fd = data["fd"]
    return fd, bytes.fromhex(data["key"])


_HANDSHAKE = _read_handshake()  # at import: before conftest, collection or the attendee's code


def stuck(cpu: float, wall: float, limit: float) -> str | None:
    """Why a test that used `cpu` seconds of CPU in `wall` seconds counts as stuck, or None.

    "busy": it kept the CPU busy for the whole limit (a loop that never ends).
    "blocked": the limit passed and it used almost no CPU (waiting for something that never
    comes). "backstop": even a test that progresses gets BACKSTOP_FACTOR times the limit.
    A test that progresses slowly because the machine is busy is none of these.
    """
    if cpu >= limit:
        return "busy"
    if wall >= limit and cpu < BLOCKED_CPU_SHARE * wall:
        return "blocked"
    if wall >= BACKSTOP_FACTOR * limit:
        return "backstop"
    return None


class Reporter:
    def __init__(self, fd: int, key: bytes, stage_id: str, target: Path, test_timeout: float) -> None:
        self.fd = fd
        self.key = key
        self.seq = 0
        self.stage_id = stage_id
        self.target = target
        self.test_timeout = test_timeout
        self.main_thread = threading.main_thread().ident
        self.lock = threading.Lock()
        self.running: str | None = None  # the test (or phase) the watchdog times
        self.started_cpu = 0.0
        self.started_wall = 0.0
        self.exitstatus = 0
        self.reported_solutions: set[str] = set()

    def write(self, record: dict[str, Any]) -> None:
        payload = json.dumps(record)
        with self.lock:
            line = f"{sign(self.key, self.seq, payload)} {payload}\n".encode()
            self.seq += 1
            try:
                while line:
                    line = line[os.write(self.fd, line):]
            except OSError:
                pass  # the channel was closed (by the attendee's code): the parent will say so

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
        self.started_cpu = time.process_time()
        self.started_wall = time.monotonic()
        self.running = name

    def disarm(self) -> None:
        self.running = None

    def watch(self) -> None:
        """The watchdog thread: a heartbeat for the parent, and the slow-or-stuck decision."""
        tick = max(0.01, min(0.25, self.test_timeout / 4))
        while True:
            time.sleep(tick)
            name = self.running
            self.write({"event": "beat"})
            if name is None:
                continue
            cpu = time.process_time() - self.started_cpu
            wall = time.monotonic() - self.started_wall
            why = stuck(cpu, wall, self.test_timeout)
            if why is not None and self.running == name:
                self.on_timeout(name, why, wall)

    def on_timeout(self, name: str, why: str, wall: float) -> None:
        frame = sys._current_frames().get(self.main_thread)  # type: ignore[arg-type]
        self.write(
            {
                "event": "timeout",
                "name": name,
                "seconds": self.test_timeout,
                "wall": round(wall, 1),
                "why": why,
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
    """The path as the attendee knows it: relative to the repository, links not followed."""
    absolute = os.path.abspath(filename)
    try:
        return Path(absolute).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute


_reporter: Reporter | None = None


# --- what the attendee's code could replace to fake a pass ------------------------------
def _guarded() -> dict[str, Callable[[], object]]:
    import _pytest.python
    import _pytest.reports
    import _pytest.runner

    return {
        "pytest's Function.runtest": lambda: _pytest.python.Function.runtest,
        "pytest's runtestprotocol": lambda: _pytest.runner.runtestprotocol,
        "pytest's call_and_report": lambda: _pytest.runner.call_and_report,
        "pytest's CallInfo.from_call": lambda: _pytest.runner.CallInfo.from_call,
        "pytest's TestReport.from_item_and_call": lambda: _pytest.reports.TestReport.from_item_and_call,
        "os._exit": lambda: os._exit,
        "threading.Thread.start": lambda: threading.Thread.start,
        "the grader's Reporter.write": lambda: Reporter.write,
    }


_snapshot: dict[str, object] = {}


def _unwrap(value: object) -> object:
    return getattr(value, "__func__", value)  # a classmethod gives a new bound method each time


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grade")
    group.addoption("--grade-channel", action="store_true",
                    help="report on the channel named on standard input (read at import)")
    group.addoption("--grade-collect", help="only collect: write the test names to this file")
    group.addoption("--grade-stage", help="the stage id being graded, e.g. 01_future")
    group.addoption("--grade-test-timeout", type=float, default=10.0)
    group.addoption("--grade-faults", help="file for the stacks of a hard crash")


def pytest_configure(config: pytest.Config) -> None:
    global _reporter
    if _HANDSHAKE is None or not config.getoption("--grade-channel"):
        return
    from kit.loader import set_target, target_dir

    set_target(config.getoption("--target"))  # don't rely on conftest running first
    # A hard crash (segfault, abort) prints the Python stack here, so the parent can name
    # the attendee's line; os._exit is wrapped to record its caller before leaving.
    faults = config.getoption("--grade-faults")
    if faults:
        faulthandler.enable(open(faults, "w"), all_threads=False)  # open until the process ends
        if hasattr(faulthandler, "register") and os.name != "nt":
            import signal  # the parent's SIGUSR1 asks for every stack (a loop holding the GIL)

            faulthandler.register(signal.SIGUSR1, file=open(faults + ".dump", "w"),
                                  all_threads=True)
    os._exit = _recorded_exit
    fd, key = _HANDSHAKE
    _reporter = Reporter(
        fd,
        key,
        config.getoption("--grade-stage"),
        target_dir().resolve(),
        config.getoption("--grade-test-timeout"),
    )
    _record_thread_origins(_reporter)
    _watch_solutions(_reporter)
    _snapshot.update({name: get() for name, get in _guarded().items()})
    threading.Thread(target=_reporter.watch, name="grade-watchdog", daemon=True).start()


def _record_thread_origins(reporter: Reporter) -> None:
    """Remember where each thread was started, to name it if it is still running at the end."""
    original = threading.Thread.start

    def start(self: threading.Thread, *args: Any, **kwargs: Any) -> None:
        self._grade_origin = (  # type: ignore[attr-defined]
            reporter.running, reporter.location_from_frame(sys._getframe(1)))
        original(self, *args, **kwargs)

    threading.Thread.start = start  # type: ignore[method-assign]


def _watch_solutions(reporter: Reporter) -> None:
    """Record (once per file) the attendee's code opening a file of `solutions/`."""
    from grader.paths import REPO_ROOT

    solutions = str((REPO_ROOT / "solutions").resolve()) + os.sep
    if reporter.target.is_relative_to(Path(solutions)):
        return  # grading the solutions themselves

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
            return
        try:
            path = os.path.realpath(os.fsdecode(args[0]))
        except (TypeError, ValueError, OSError):
            return
        if not path.startswith(solutions):
            return
        if os.path.basename(os.path.dirname(path)) == "__pycache__":  # name the source, not its .pyc
            path = os.path.join(os.path.dirname(os.path.dirname(path)),
                                os.path.basename(path).split(".", 1)[0] + ".py")
        if path not in reporter.reported_solutions:
            reporter.reported_solutions.add(path)
            reporter.write({"event": "solutions", "path": _relative(path),
                            "location": reporter.location_from_frame(sys._getframe(1))})

    sys.addaudithook(hook)  # cannot be removed: that is the point


def pytest_collection_finish(session: pytest.Session) -> None:
    collect = session.config.getoption("--grade-collect")
    if collect:
        names = [item.nodeid.split("::", 1)[-1] for item in session.items]
        Path(collect).write_text(json.dumps(names), encoding="utf-8")


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
        problem = _not_loadable(path)
        if problem is not None:
            _reporter.write(problem)
            _finish(3)
        name = LOADING + _relative(str(path))
        _reporter.write({"event": "phase", "name": name})
        _reporter.arm(name)  # an endless loop at import time
        try:
            load_stage(stage.id, module)
        except BaseException as error:  # anything at import time: report, don't crash
            _reporter.write(_load_error(error, path))
            _finish(3)
        finally:
            _reporter.disarm()


def _not_loadable(path: Path) -> dict[str, Any] | None:
    """A load_error record if `path` is not a regular file (missing, a folder, a pipe...)."""
    shown = _relative(str(path))
    record = {"event": "load_error", "kind": "missing_file", "file": shown}
    if path.is_symlink() and not path.exists():
        return {**record, "message": f"it is a link to {os.readlink(path)}, which does not exist"}
    if not path.exists():
        return {**record, "message": "file not found"}
    if path.is_dir():
        return {**record, "kind": "not_a_file", "message": "it is a folder, not a file"}
    if not path.is_file():
        return {**record, "kind": "not_a_file", "message": "it is not a regular file (a pipe or a device?)"}
    return None


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


class InterruptInTest(Exception):
    """A KeyboardInterrupt raised by the attendee's code inside a test, as an ordinary failure."""


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):  # type: ignore[no-untyped-def]
    """Mark that the test body really ran; a KeyboardInterrupt from it is a failure, not an abort."""
    if _reporter is None:
        yield
        return
    body = pyfuncitem.obj

    def run(*args: Any, **kwargs: Any) -> Any:
        pyfuncitem._grade_body_ran = True  # type: ignore[attr-defined]
        try:
            return body(*args, **kwargs)
        except KeyboardInterrupt as error:
            raise InterruptInTest("KeyboardInterrupt").with_traceback(error.__traceback__) from None

    pyfuncitem.obj = run
    try:
        yield
    finally:
        pyfuncitem.obj = body


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
        from _pytest.unittest import TestCaseFunction  # runs its body without pytest_pyfunc_call

        if not getattr(item, "_grade_body_ran", False) and not isinstance(item, TestCaseFunction):
            _reporter.write({"event": "tamper", "name": name,
                             "what": "the test's body never ran, yet pytest reported it passed"})
            return
        _reporter.write(
            {"event": "result", "name": name, "status": "passed", "hint": None, "message": ""}
        )
    elif report.skipped:
        where = _reporter.location_from_traceback(call.excinfo.tb) if call.excinfo else None
        if where is not None:  # pytest.skip() called by the attendee's code: proves nothing
            _reporter.write({"event": "result", "name": name, "status": "failed", "hint": "untrusted",
                             "message": "Your code skipped this test (pytest.skip): a skipped test "
                             "proves nothing, so it counts as failed.", "location": where})
        else:  # skipped by the hidden tests themselves (e.g. not on this platform)
            _reporter.write({"event": "skipped", "name": name})
    elif report.failed and call.excinfo is not None:
        expected = tuple(marker.kwargs.get("raises", ())) if marker else ()
        _reporter.write(
            {
                "event": "result",
                "name": name,
                "status": "failed",
                **classify(call.excinfo.value, default_hint, expected),
                "output": captured_output(report),
            }
        )


OUTPUT_LINES = 20  # of a failing test's own output shown in the panel: the last ones
OUTPUT_CHARS = 4000


def captured_output(report: pytest.TestReport) -> str:
    """What the failing test printed (stdout then stderr), its last lines, marked when cut."""
    text = (report.capstdout or "") + (report.capstderr or "")
    lines = text.rstrip("\n").splitlines()
    if not lines:
        return ""
    shown = lines[-OUTPUT_LINES:]
    kept = "\n".join(shown)[-OUTPUT_CHARS:]
    if len(shown) < len(lines) or len(kept) < len("\n".join(shown)):
        return f"[... {len(lines) - len(shown)} earlier line(s) not shown]\n{kept}"
    return kept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _reporter is not None:
        _reporter.exitstatus = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """After the last test: say what was replaced or left running, run the exit hooks, leave."""
    if _reporter is not None:
        _finish(_reporter.exitstatus)


def _finish(exitstatus: int) -> NoReturn:
    """The child's only way out: the checks of the end, the attendee's exit hooks, `end`."""
    import atexit

    assert _reporter is not None
    for name, get in _guarded().items():
        if _unwrap(_snapshot.get(name)) is not _unwrap(get()):
            _reporter.write({"event": "tamper", "name": None, "what": f"{name} was replaced"})
    for thread in threading.enumerate():
        if thread.is_alive() and not thread.daemon and thread is not threading.main_thread():
            test, location = getattr(thread, "_grade_origin", (None, None))
            _reporter.write({"event": "thread", "thread": thread.name, "name": test,
                             "location": location})
    _reporter.write({"event": "phase", "name": AT_EXIT})
    _reporter.arm(AT_EXIT)
    atexit._run_exitfuncs()  # the attendee's handlers run here, timed, with their line on a crash
    _reporter.disarm()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    _reporter.write({"event": "end", "exitstatus": exitstatus})
    _real_exit(exitstatus)  # non-daemon threads left running must not keep the process alive


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
        text = str(error)
        return {"hint": "context_outlived_poll", "message": text[:1].upper() + text[1:], "location": where}
    if isinstance(error, InterruptInTest):
        message = ("Your code raised KeyboardInterrupt (as if Ctrl-C was pressed) during the test.")
        return {"hint": UNEXPECTED_HINT, "message": message, "location": where}
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
