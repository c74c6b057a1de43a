"""The pytest plugin of the hidden tests, and of the child process that grades one stage.

Two parts:

- This module's own hooks, for every run of the hidden tests (the grading child, and the
  project's own suite, which loads this module from `tests/conftest.py`): the `--target`
  option (exercises, solutions, or a folder laid out like them) and the `hint` marker,
  declared here and nowhere else.
- `GradePlugin`, a plugin object the grading child (`grader/child.py`) registers with the run's
  channel: an inherited pipe and a per-run key, which the parent sent on the child's standard
  input once the child was ready (`protocol.RunRequest`), so neither appears in `argv` or in
  the environment. Every record is one line, `<hmac> <json>`, signed with the key and
  numbered implicitly (the parent checks the order), flushed as it goes, so the parent learns
  what happened even if the interpreter dies. `CollectPlugin` only lists the tests.

Hangs are caught by a watchdog thread, not by signals, so this works on Windows too. It
tells slow from stuck by CPU time, not wall-clock time, so a loaded machine is no hang
(`Tracker`, `stuck`): one call of the attendee's code that used LOOP_SHARE of the limit in
CPU seconds (1 s by default; the hidden tests' calls take milliseconds) is an endless loop;
the attendee's code waiting while the whole process used no CPU for BLOCKED_SHARE of the
limit (3 s) is blocked; and, whatever the code, a test that used the whole limit in CPU
time, or the limit in wall-clock time with almost no CPU, or a generous wall-clock backstop.

The records (`grader/protocol.py` declares them; `?` marks a field present when known):

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
from typing import IO, Any, NoReturn

import pytest

from grader import protocol
from grader.protocol import AT_EXIT, LOADING, RunRequest, record, sign

__doc__ += protocol.describe()

HINT_MARKER = (
    "hint(id, raises=()): the hint id (grader/catalogue) that explains a failure of this test; "
    "raises: exception types from the attendee's code that are this test's symptom "
    "(others get your_code_raised)"
)
TIMEOUT_EXIT_CODE = 70
BACKSTOP_FACTOR = 6  # a test may take this many times its limit in wall-clock time if it progresses
BLOCKED_CPU_SHARE = 0.01  # below this share of one CPU over the limit, a test is waiting, not working
# Of the limit: the CPU seconds one call of the attendee's code may use (1 s by default). The
# longest call of a reference solution by the hidden tests took under 5 ms here: 200x margin.
LOOP_SHARE = 0.1
BLOCKED_SHARE = 0.3  # of the limit: the seconds the attendee's code may wait with no CPU used (3 s)
IDLE_CPU_SHARE = 0.02  # a watchdog tick in which the process used less CPU than this share is idle
MAX_TICK_GAP = 1.0  # seconds: a longer gap between ticks (the machine suspended?) proves nothing
_real_exit = os._exit  # the watchdog's way out; attendee calls go through _recorded_exit


# --- every run of the hidden tests ------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--target",
        default="solutions",
        help="what the stage tests test: exercises, solutions, or a folder laid out like them",
    )


def pytest_configure(config: pytest.Config) -> None:
    from grader.paths import REPO_ROOT

    tests = str(REPO_ROOT / "tests")
    if tests not in sys.path:  # the kit, where pytest's `pythonpath` ini setting is not read
        sys.path.insert(0, tests)
    from kit.loader import set_target

    config.addinivalue_line("markers", HINT_MARKER)
    set_target(config.getoption("--target"))


# --- the watchdog's rule --------------------------------------------------------------------------
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


Call = tuple[int, int, int]  # (depth, id of the frame, id of its code): one call, as a tick sees it


class Tracker:
    """The fast rule, for one test: is the attendee's code the main thread is in stuck?

    The watchdog shows it, at every tick, the process's CPU and wall-clock seconds and the
    outermost call of the attendee's code on the main thread's stack (None when the main
    thread is in the tests' own code: their timed waits end by themselves and carry the
    test's own hint). "busy": the same call has gone on while the process used
    `LOOP_SHARE * limit` CPU seconds: a correct call takes milliseconds, so on a machine
    under any load this is a loop, not slowness (a slow machine gives it less CPU, never
    more). "blocked": the same call has gone on for `BLOCKED_SHARE * limit` seconds in
    which every tick came on time and the process used no CPU: nothing is running, so
    nothing will wake it. A tick that came late (the machine suspended or overloaded) is
    not counted either way.
    """

    def __init__(self, limit: float, wall: float, cpu: float) -> None:
        self.limit = limit
        self.call: Call | None = None
        self.call_cpu = cpu  # the process's CPU seconds when this call was first seen
        self.idle = 0.0  # seconds of ticks on time with no CPU used, in this call
        self.wall, self.cpu = wall, cpu

    def see(self, wall: float, cpu: float, call: Call | None) -> tuple[str, float] | None:
        """("busy", CPU seconds) or ("blocked", idle seconds) once stuck, else None."""
        gap, used = wall - self.wall, cpu - self.cpu
        self.wall, self.cpu = wall, cpu
        if call is None or call != self.call:
            self.call, self.call_cpu, self.idle = call, cpu, 0.0
            return None
        if cpu - self.call_cpu >= LOOP_SHARE * self.limit:
            return "busy", cpu - self.call_cpu
        if 0 < gap <= MAX_TICK_GAP:
            self.idle = self.idle + gap if used < IDLE_CPU_SHARE * gap else 0.0
        if self.idle >= BLOCKED_SHARE * self.limit:
            return "blocked", self.idle
        return None


class Reporter:
    """The child's side of the channel, and the watchdog that times each test."""

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
        self.tracker = Tracker(test_timeout, 0.0, 0.0)
        self.exitstatus = 0
        self.reported_solutions: set[str] = set()
        self._in_target: dict[str, bool] = {}

    def write(self, line_record: dict[str, Any]) -> None:
        payload = json.dumps(line_record)
        with self.lock:
            line = f"{sign(self.key, self.seq, payload)} {payload}\n".encode()
            self.seq += 1
            try:
                while line:
                    line = line[os.write(self.fd, line):]
            except OSError:
                pass  # the channel was closed (by the attendee's code): the parent will say so

    def emit(self, event: str, **fields: Any) -> None:
        """Write one record of a declared event (protocol.record checks it)."""
        self.write(record(event, **fields))

    # --- where in the attendee's code? ------------------------------------------------
    def in_target(self, filename: str) -> bool:
        known = self._in_target.get(filename)
        if known is None:
            try:
                known = Path(filename).resolve().is_relative_to(self.target)
            except (OSError, ValueError):
                known = False
            self._in_target[filename] = known
        return known

    def attendee_call(self) -> Call | None:
        """The outermost call of the attendee's code on the main thread's stack, if any."""
        frame = sys._current_frames().get(self.main_thread)  # type: ignore[arg-type]
        found: Call | None = None
        depth = 0
        while frame is not None:  # innermost first: the last one found is the outermost
            if self.in_target(frame.f_code.co_filename):
                found = (depth, id(frame), id(frame.f_code))
            frame = frame.f_back
            depth += 1
        # Depths count from the innermost frame: make them count from the outermost.
        return None if found is None else (depth - found[0], found[1], found[2])

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
        self.tracker = Tracker(self.test_timeout, self.started_wall, self.started_cpu)
        self.running = name

    def disarm(self) -> None:
        self.running = None

    def watch(self) -> None:
        """The watchdog thread: a heartbeat for the parent, and the slow-or-stuck decision."""
        tick = max(0.01, min(0.1, self.test_timeout / 20))
        while True:
            time.sleep(tick)
            name, tracker = self.running, self.tracker
            self.emit(protocol.BEAT)
            if name is None:
                continue
            now_cpu, now_wall = time.process_time(), time.monotonic()
            cpu, wall = now_cpu - self.started_cpu, now_wall - self.started_wall
            fast = tracker.see(now_wall, now_cpu, self.attendee_call())
            if fast is not None and self.running == name:
                why, seconds = fast
                self.on_timeout(name, why, seconds, wall if why == "busy" else seconds)
            slow = stuck(cpu, wall, self.test_timeout)
            if slow is not None and self.running == name:
                self.on_timeout(name, slow, self.test_timeout, wall)

    def on_timeout(self, name: str, why: str, seconds: float, wall: float) -> None:
        frame = sys._current_frames().get(self.main_thread)  # type: ignore[arg-type]
        self.emit(protocol.TIMEOUT, name=name, seconds=round(seconds, 1), wall=round(wall, 1), why=why,
                  location=self.location_from_frame(frame))
        _real_exit(TIMEOUT_EXIT_CODE)  # the main thread is stuck; only leaving ends it


def _recorded_exit(status: int) -> NoReturn:  # os._exit's signature
    if _reporter is not None:
        _reporter.emit(protocol.EXIT, code=status, location=_reporter.location_from_frame(sys._getframe(1)))
    _real_exit(status)


def _relative(filename: str) -> str:
    """The path as the attendee knows it: relative to the repository, links not followed."""
    absolute = os.path.abspath(filename)
    try:
        return Path(absolute).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute


_reporter: Reporter | None = None  # the run's reporter, once GradePlugin is configured


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


def _unwrap(value: object) -> object:
    return getattr(value, "__func__", value)  # a classmethod gives a new bound method each time


class InterruptInTest(Exception):
    """A KeyboardInterrupt raised by the attendee's code inside a test, as an ordinary failure."""


class CollectPlugin:
    """Only list the stage's tests (against code that is not the attendee's): the parent's list."""

    def __init__(self, listing: str) -> None:
        self.listing = listing

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        names = [item.nodeid.split("::", 1)[-1] for item in session.items]
        Path(self.listing).write_text(json.dumps(names), encoding="utf-8")


class GradePlugin:
    """The grading run: reports every test on the channel, times it, and guards the run."""

    def __init__(self, request: RunRequest, fd: int) -> None:
        self.request = request
        self.fd = fd
        self.files: list[IO[str]] = []  # faulthandler's files, closed in pytest_unconfigure
        self.snapshot: dict[str, object] = {}

    @property
    def reporter(self) -> Reporter:
        assert _reporter is not None
        return _reporter

    def pytest_configure(self, config: pytest.Config) -> None:
        global _reporter
        from kit.loader import set_target, target_dir

        set_target(self.request.target)  # don't rely on the order of pytest_configure hooks
        # A hard crash (segfault, abort) prints the Python stack here, so the parent can name
        # the attendee's line; os._exit is wrapped to record its caller before leaving.
        if self.request.faults:
            self.files.append(open(self.request.faults, "w"))  # closed in pytest_unconfigure
            faulthandler.enable(self.files[-1], all_threads=False)
            if hasattr(faulthandler, "register") and os.name != "nt":
                import signal  # the parent's SIGUSR1 asks for every stack (a loop holding the GIL)

                self.files.append(open(self.request.faults + ".dump", "w"))
                faulthandler.register(signal.SIGUSR1, file=self.files[-1], all_threads=True)
        os._exit = _recorded_exit
        _reporter = Reporter(self.fd, bytes.fromhex(self.request.key), self.request.stage,
                             target_dir().resolve(), self.request.test_timeout)
        _record_thread_origins(_reporter)
        _watch_solutions(_reporter)
        self.snapshot.update({name: get() for name, get in _guarded().items()})
        threading.Thread(target=_reporter.watch, name="grade-watchdog", daemon=True).start()

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Load the attendee's files before any test, so a broken file is one clear message."""
        from grader.catalogue import find_stage
        from kit.loader import load_stage, stage_file

        reporter = self.reporter
        stage = find_stage(reporter.stage_id)
        assert stage is not None, f"unknown stage {reporter.stage_id}"
        for filename in stage.files:
            module = filename.removesuffix(".py")
            path = stage_file(stage.id, module)
            problem = _not_loadable(path)
            if problem is not None:
                reporter.write(problem)
                self.finish(3)
            name = LOADING + _relative(str(path))
            reporter.emit(protocol.PHASE, name=name)
            reporter.arm(name)  # an endless loop at import time
            try:
                load_stage(stage.id, module)
            except BaseException as error:  # anything at import time: report, don't crash
                reporter.write(_load_error(reporter, error, path))
                self.finish(3)
            finally:
                reporter.disarm()

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        name = nodeid.split("::", 1)[-1]
        self.reporter.emit(protocol.START, name=name)
        self.reporter.arm(name)

    def pytest_runtest_logfinish(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self.reporter.disarm()

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function):
        """Mark that the test body really ran; a KeyboardInterrupt from it is a failure, not an abort."""
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
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        reporter = self.reporter
        name = item.nodeid.split("::", 1)[-1]
        marker = item.get_closest_marker("hint")
        default_hint = marker.args[0] if marker else None
        if report.when == "call" and report.passed:
            from _pytest.unittest import TestCaseFunction  # runs its body without pytest_pyfunc_call

            if not getattr(item, "_grade_body_ran", False) and not isinstance(item, TestCaseFunction):
                reporter.emit(protocol.TAMPER, name=name,
                              what="the test's body never ran, yet pytest reported it passed")
                return
            reporter.emit(protocol.RESULT, name=name, status="passed", hint=None, message="")
        elif report.skipped:
            where = reporter.location_from_traceback(call.excinfo.tb) if call.excinfo else None
            if where is not None:  # pytest.skip() called by the attendee's code: proves nothing
                reporter.emit(protocol.RESULT, name=name, status="failed", hint="untrusted",
                              message="Your code skipped this test (pytest.skip): a skipped test "
                              "proves nothing, so it counts as failed.", location=where)
            else:  # skipped by the hidden tests themselves (e.g. not on this platform)
                reporter.emit(protocol.SKIPPED, name=name)
        elif report.failed and call.excinfo is not None:
            expected = tuple(marker.kwargs.get("raises", ())) if marker else ()
            reporter.emit(protocol.RESULT, name=name, status="failed",
                          **classify(call.excinfo.value, default_hint, expected),
                          output=captured_output(report))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.reporter.exitstatus = int(exitstatus)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """After the last test: say what was replaced or left running, run the exit hooks, leave."""
        self.finish(self.reporter.exitstatus)

    def finish(self, exitstatus: int) -> NoReturn:
        """The child's only way out: the checks of the end, the attendee's exit hooks, `end`."""
        import atexit

        reporter = self.reporter
        for name, get in _guarded().items():
            if _unwrap(self.snapshot.get(name)) is not _unwrap(get()):
                reporter.emit(protocol.TAMPER, name=None, what=f"{name} was replaced")
        for thread in threading.enumerate():
            if thread.is_alive() and not thread.daemon and thread is not threading.main_thread():
                test, location = getattr(thread, "_grade_origin", (None, None))
                reporter.emit(protocol.THREAD, thread=thread.name, name=test, location=location)
        reporter.emit(protocol.PHASE, name=AT_EXIT)
        reporter.arm(AT_EXIT)
        atexit._run_exitfuncs()  # the attendee's handlers run here, timed, with their line on a crash
        reporter.disarm()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        reporter.emit(protocol.END, exitstatus=exitstatus)
        self.close()
        _real_exit(exitstatus)  # non-daemon threads left running must not keep the process alive

    def close(self) -> None:
        """Close what this plugin opened: the crash files (faulthandler off first), the channel."""
        if hasattr(faulthandler, "unregister") and os.name != "nt":
            import signal

            faulthandler.unregister(signal.SIGUSR1)
        faulthandler.disable()
        for file in self.files:
            file.close()
        try:
            os.close(self.fd)
        except OSError:
            pass  # the attendee's code closed it already


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
            reporter.emit(protocol.SOLUTIONS, path=_relative(path),
                          location=reporter.location_from_frame(sys._getframe(1)))

    sys.addaudithook(hook)  # cannot be removed: that is the point


def _not_loadable(path: Path) -> dict[str, Any] | None:
    """A load_error record if `path` is not a regular file (missing, a folder, a pipe...)."""
    shown = _relative(str(path))
    if path.is_symlink() and not path.exists():
        return record(protocol.LOAD_ERROR, kind="missing_file", file=shown,
                      message=f"it is a link to {os.readlink(path)}, which does not exist")
    if not path.exists():
        return record(protocol.LOAD_ERROR, kind="missing_file", file=shown, message="file not found")
    if path.is_dir():
        return record(protocol.LOAD_ERROR, kind="not_a_file", file=shown,
                      message="it is a folder, not a file")
    if not path.is_file():
        return record(protocol.LOAD_ERROR, kind="not_a_file", file=shown,
                      message="it is not a regular file (a pipe or a device?)")
    return None


def _load_error(reporter: Reporter, error: BaseException, path: Path) -> dict[str, Any]:
    if isinstance(error, SyntaxError):
        return record(protocol.LOAD_ERROR, kind="SyntaxError", message=error.msg,
                      file=_relative(error.filename or str(path)), line=error.lineno,
                      column=error.offset, code=(error.text or "").rstrip("\n"))
    where = reporter.location_from_traceback(error.__traceback__)
    return record(protocol.LOAD_ERROR, kind=type(error).__name__,
                  message=str(error) or type(error).__name__, **(where or {"file": _relative(str(path))}))


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
