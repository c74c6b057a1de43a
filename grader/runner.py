"""Run one stage's hidden tests in a child pytest process and interpret what it reported.

This side never imports the attendee's code. What it trusts, and why (see also the
instructor guide, "Integrity"):

- The list of tests the stage has comes from the parent: a collect-only child run against
  the reference solutions (or the pristine stubs), cached by the content of the hidden tests.
  A test with no result is a failure, never a silent omission.
- Results arrive on an inherited pipe named on the child's standard input together with a
  per-run key (never in argv or the environment); each line is signed with the key and
  numbered, so a line written by anything else is noticed.
- The child reports a heartbeat; a child that falls silent during a test (a loop in C that
  holds the interpreter lock) or that runs past the backstop is stopped by the parent, which
  names the test.
- Each child serves one run. It may be started ahead of time (a *spare*, `prestart`,
  `spares_kept_warm`): it then imports pytest, the kit and the grader's plugin while the attendee
  edits, and learns its request (stage, target, channel key) only once warm. It is discarded,
  never used, if the grader's or the kit's files changed meanwhile. Nothing of the attendee's
  is imported before the request; no interpreter runs the attendee's code twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import forkserver, protocol
from grader.atomic import write_atomically
from grader.childenv import child_env, preimported_state
from grader.forkserver import ForkedChild
from grader.model import Stage
from grader.paths import REPO_ROOT, target_path
from grader.protocol import AT_EXIT as AFTER_TESTS
from grader.protocol import COLLECT, DEFAULT_TEST_TIMEOUT, LOADING, RUN, RunRequest, sign
from grader.results import StageResult, TestResult

__all__ = ["DEFAULT_TEST_TIMEOUT", "GraderError", "prestart", "run_stage", "spares_kept_warm"]
BACKSTOP_SECONDS = 300.0  # the whole child, should every other limit fail
SILENCE_SECONDS = 5.0  # at least this long without a heartbeat during a test: the child is stuck


class GraderError(Exception):
    """Something is wrong with the grader's installation, not with the attendee's code."""


def run_stage(
    stage: Stage,
    target: str,
    *,
    first_failure: bool = False,
    test_timeout: float = DEFAULT_TEST_TIMEOUT,
) -> StageResult:
    test_file = REPO_ROOT / stage.test_file
    if not test_file.is_file():
        raise GraderError(
            f"the hidden tests of stage {stage.id} are missing ({stage.test_file}); "
            "restore them with `git checkout -- tests` or a fresh copy of the repository"
        )
    started = time.monotonic()
    linked = linked_solutions(stage, target)
    if linked is not None:
        result = StageResult(stage.id, "failed", [linked], problem="untrusted")
        result.seconds = round(time.monotonic() - started, 3)
        return result
    expected = expected_tests(stage)
    spare = _take_spare()
    try:
        run = _serve(spare, stage, target, first_failure, test_timeout)
        if spare.never_started():  # a fork server that went away before it forked: nothing ran
            spare.discard()
            spare = Spare(light=True, fork=False)
            run = _serve(spare, stage, target, first_failure, test_timeout)
        fault = _fault_location(spare.faults, target)
        if run.stopped is not None and run.stopped_location is None:
            run.stopped_location = _fault_location(Path(str(spare.faults) + ".dump"), target)
        result = interpret(stage, run.records, run.code, _tail(spare.output), fault,
                           expected=expected, first_failure=first_failure, run=run)
    finally:
        spare.discard()
        if _keep_warm:
            prestart(light=False)  # the next run's child warms up while the attendee reads and edits
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _serve(spare: Spare, stage: Stage, target: str, first_failure: bool, test_timeout: float) -> ChildRun:
    """One run of the stage's tests in `spare`, with a fresh channel key."""
    key = secrets.token_bytes(32)
    request = RunRequest(RUN, stage.id, stage.test_file, target, test_timeout, first_failure,
                         key=key.hex(), faults=str(spare.faults),
                         fd=spare.channel.get("fd"), handle=spare.channel.get("handle"))
    return spare.serve(request, key, test_timeout)


# --- which tests the stage has ---------------------------------------------------------------
_expected_memory: dict[str, list[str]] = {}


def expected_cache_dir() -> Path:
    return REPO_ROOT / ".grade" / "expected"


def _collect_key(stage: Stage) -> str:
    digest = hashlib.sha256(f"collect-1:{stage.id}".encode())
    for path in [REPO_ROOT / stage.test_file, REPO_ROOT / "tests" / "conftest.py",
                 *sorted((REPO_ROOT / "tests" / "kit").glob("*.py"))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


# A `def test...` at the start of a line is a module-level function: methods and nested
# functions are indented. (Optimisation: ast.parse of a stage's tests took 25-30 ms of every
# run. A match inside a string only makes a cached list look short: it is collected again.)
_MODULE_TEST = re.compile(rb"^(?:async[ \t]+)?def[ \t]+(test\w*)[ \t]*\(", re.MULTILINE)


def hidden_test_functions(stage: Stage) -> set[str]:
    """The names of the module-level `def test_...` of the hidden test file (read, not imported)."""
    source = (REPO_ROOT / stage.test_file).read_bytes()
    return {match.decode("ascii") for match in _MODULE_TEST.findall(source)}


def _plausible(stage: Stage, names: object) -> bool:
    """A cached list must name every test function of the file (a shortened list is refused)."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or not names:
        return False
    bases = {n.split("[", 1)[0].rsplit("::", 1)[-1] for n in names}
    return hidden_test_functions(stage) <= bases


def expected_tests(stage: Stage) -> list[str]:
    """Every test name of the stage, in order: collected once per content of the hidden tests."""
    key = _collect_key(stage)
    if key in _expected_memory:
        return _expected_memory[key]
    cache = expected_cache_dir() / f"{stage.id}.json"
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("key") == key and _plausible(stage, cached.get("tests")):
            _expected_memory[key] = cached["tests"]
            return cached["tests"]
    except (OSError, ValueError, AttributeError):
        pass
    names = _collect(stage)
    _expected_memory[key] = names
    write_atomically(cache, json.dumps({"key": key, "tests": names}))
    return names


def _collect(stage: Stage) -> list[str]:
    """Collect the stage's tests in a child, against code that is not the attendee's.

    The reference solution if there is one, else the pristine stub; only if neither can be
    imported (a broken copy), the attendee's own file, as a last resort.
    """
    problem = ""
    with tempfile.TemporaryDirectory(prefix="grade-collect-") as tmp:
        for target in _reference_targets(stage, Path(tmp)):
            listing = Path(tmp) / "tests.json"
            spare = _take_spare()
            try:
                code = spare.collect(RunRequest(COLLECT, stage.id, stage.test_file, target,
                                                listing=str(listing)))
                output = _tail(spare.output)
            finally:
                spare.discard()
            try:
                names = json.loads(listing.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                names = None
            if code == 0 and _plausible(stage, names):
                return names
            problem = f"(pytest exit code {code}). Its last output was:\n{output}"
    raise GraderError(f"the hidden tests of stage {stage.id} could not be collected {problem}")


def _reference_targets(stage: Stage, tmp: Path) -> list[str]:
    """solutions/, the pristine stubs, and the attendee's exercises: the first that collects."""
    targets = []
    if (REPO_ROOT / "solutions" / stage.id).is_dir():
        targets.append("solutions")
    from grader.pristine import pristine_bytes

    folder = tmp / "pristine" / stage.id
    folder.mkdir(parents=True)
    stubs = {name: pristine_bytes(f"{stage.id}/{name}") for name in stage.all_files}  # given files too
    if all(data is not None for data in stubs.values()):
        for name, data in stubs.items():
            (folder / name).write_bytes(data)  # type: ignore[arg-type]
        targets.append(str(tmp / "pristine"))
    return [*targets, "exercises"]


# --- integrity checks that need no child ------------------------------------------------------
def linked_solutions(stage: Stage, target: str) -> TestResult | None:
    """A failure if a file of the attendee's stage folder is (a link to) a file of solutions/."""
    solutions = (REPO_ROOT / "solutions").resolve()
    root = target_path(target)
    if root.resolve().is_relative_to(solutions):
        return None  # grading the solutions themselves
    folder = root / stage.id
    for path in [folder, *(sorted(folder.iterdir()) if folder.is_dir() else [])]:
        if (path.exists() or path.is_symlink()) and path.resolve().is_relative_to(solutions):
            return _linked(path)
    return None


def _linked(path: Path) -> TestResult:
    message = (f"{_shown(path)} is a link into solutions/ ({_shown(path.resolve())}). The grader "
               "grades your own code: put your own file there.")
    return TestResult("checking your files", "failed", "untrusted", message, {"file": _shown(path)})


def _shown(path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    return absolute.relative_to(REPO_ROOT).as_posix() if absolute.is_relative_to(REPO_ROOT) else str(path)


# --- the child ------------------------------------------------------------------------------
@dataclass
class ChildRun:
    """What the parent saw of one child: its verified records, exit code, and any stop."""

    records: list[dict[str, Any]] = field(default_factory=list)
    code: int | None = None
    forged: str | None = None  # why the channel stopped being trusted
    stopped: str | None = None  # the test the parent stopped (silence or backstop)
    stopped_why: str = ""
    stopped_location: dict[str, Any] | None = None


ChildProcess = subprocess.Popen[bytes] | ForkedChild  # started here, or forked by a fork server


class Spare:
    """A child process (`python -m grader.child`) that serves exactly one run.

    Started ahead of time, it imports pytest, hypothesis, the kit and the grader's plugin,
    then waits for its request on standard input; the channel's write end is inherited at
    start (only by this child), its key is sent with the request. Its output goes to a file
    (a print flood can't fill our memory). Where a current fork server runs (`grader.forkserver`,
    Linux), the child is forked from it instead, already warm, under the same rules.
    """

    def __init__(self, light: bool = False, fork: bool = True) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="grade-")
        self.output = Path(self.folder.name) / "output.txt"
        self.faults = Path(self.folder.name) / "faults.txt"
        self.state = preimported_state()
        self.read_fd, write_fd = os.pipe()
        self.channel: dict[str, int] = {}
        self.process: ChildProcess
        self.output.touch()
        try:
            forked = (forkserver.connect(self.state, child_env(), write_fd, self.output)
                      if fork and forkserver.enabled() else None)
        except BaseException:
            os.close(self.read_fd)
            os.close(write_fd)
            self.folder.cleanup()
            raise
        if forked is not None:  # a warm fork server runs it (and started warm: `light` is moot)
            self.process, self.channel["fd"] = forked, write_fd
            os.close(write_fd)  # the child holds its own copy until the request is sent
            self.read_open = True
            return
        options: dict[str, Any] = {}
        if sys.platform == "win32":  # (mypy reads this test: the Windows-only names below)
            import msvcrt

            handle = msvcrt.get_osfhandle(write_fd)
            os.set_handle_inheritable(handle, True)
            info = subprocess.STARTUPINFO()
            info.lpAttributeList = {"handle_list": [handle]}
            options["startupinfo"] = info
            self.channel["handle"] = handle
        else:
            options["pass_fds"] = (write_fd,)
            self.channel["fd"] = write_fd
        try:
            with open(self.output, "wb") as sink:
                command = [sys.executable, "-m", "grader.child", *(["--light"] if light else [])]
                self.process = subprocess.Popen(command, cwd=REPO_ROOT,
                                                stdout=sink, stderr=subprocess.STDOUT,
                                                stdin=subprocess.PIPE, env=child_env(), **options)
        except BaseException:
            os.close(self.read_fd)
            self.folder.cleanup()
            raise
        finally:
            os.close(write_fd)
        self.read_open = True

    def never_started(self) -> bool:
        """Forked by a fork server that answered no pid: the attendee's code never ran."""
        return isinstance(self.process, ForkedChild) and self.process.pid is None

    def usable(self) -> bool:
        """Still waiting, and started with the grader's and the kit's current files."""
        return self.process.poll() is None and preimported_state() == self.state

    def serve(self, request: RunRequest, key: bytes, test_timeout: float) -> ChildRun:
        """Send the request, then supervise the run; the channel's records and the exit code."""
        run = ChildRun()
        silence = max(SILENCE_SECONDS, test_timeout)
        backstop = 6 * test_timeout + SILENCE_SECONDS
        try:
            self.read_open = False  # the channel's reader owns (and closes) the read end now
            channel = _Channel(self.read_fd, key, run)
            _supervise(self.process, channel, run, request.line(), self.faults, silence, backstop)
        except BaseException:  # Ctrl-C: never leave the child behind
            self.kill()
            raise
        channel.thread.join(timeout=5)  # EOF unless a grandchild holds the pipe open
        return run

    def collect(self, request: RunRequest) -> int | None:
        """Send a collect-only request and wait for its exit code."""
        try:
            self._send(request.line())
            return self.process.wait(timeout=BACKSTOP_SECONDS)
        except subprocess.TimeoutExpired:
            return None
        finally:
            self.kill()

    def _send(self, line: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(line)
            self.process.stdin.close()
        except OSError:
            pass  # the child is already gone: its exit code says why

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def discard(self) -> None:
        """End the child if it still runs (a spare never used), free its pipe and files."""
        self.kill()
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        if self.read_open:
            os.close(self.read_fd)
            self.read_open = False
        self.folder.cleanup()


_spare: Spare | None = None
_spare_lock = threading.Lock()  # grader.mutants grades from two threads
_keep_warm = False


def prestart(light: bool = True) -> None:
    """Start a spare child now, for the next run: it warms up while this process gets ready.

    `light`: it is asked soon (a one-shot `grade`), so it leaves hypothesis to the stages
    that import it; a spare that waits for the attendee's next save imports everything.
    """
    global _spare
    with _spare_lock:
        if _spare is None:
            _spare = Spare(light)
            if not _atexit_registered:
                _register_atexit()


@contextmanager
def spares_kept_warm() -> Iterator[None]:
    """Meanwhile, start the next spare child as soon as a run is over (`grade watch`)."""
    global _keep_warm, _spare
    _keep_warm = True
    prestart(light=False)
    try:
        yield
    finally:
        _keep_warm = False
        with _spare_lock:
            spare, _spare = _spare, None
        if spare is not None:
            spare.discard()


def _take_spare() -> Spare:
    """The waiting spare if it is still usable, else a new child (the first run, a stale spare)."""
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is not None and spare.usable():
        return spare
    if spare is not None:
        spare.discard()
    return Spare(light=True)


_atexit_registered = False


def _register_atexit() -> None:
    global _atexit_registered
    import atexit

    def discard() -> None:
        global _spare
        if _spare is not None:
            _spare.discard()
            _spare = None

    atexit.register(discard)
    _atexit_registered = True


class _Channel:
    """The read end of the pipe, drained by a thread; every line checked against the key."""

    def __init__(self, fd: int, key: bytes, run: ChildRun) -> None:
        self.key = key
        self.run = run
        self.seq = 0
        self.last_heard = time.monotonic()
        self.running: str | None = None
        self.running_since = time.monotonic()
        self.stream = os.fdopen(fd, "rb")
        self.thread = threading.Thread(target=self._drain, name="grade-channel", daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        for raw in self.stream:
            self.last_heard = time.monotonic()
            if self.run.forged is not None:
                continue
            mac, _, payload = raw.decode("utf-8", errors="replace").rstrip("\n").partition(" ")
            if not hmac.compare_digest(mac, sign(self.key, self.seq, payload)):
                self.run.forged = "a line on the results channel was not written by the grader"
                continue
            self.seq += 1
            try:
                record = json.loads(payload)
            except ValueError:
                self.run.forged = "a line on the results channel could not be read"
                continue
            event = record.get("event") if isinstance(record, dict) else None
            if event not in protocol.EVENTS:
                self.run.forged = "a line on the results channel is not one the grader writes"
                continue
            if event in (protocol.START, protocol.PHASE):
                self.running, self.running_since = record.get("name"), time.monotonic()
            elif event in protocol.STOPPING:
                self.running = None  # (after a result, the test's teardown is still timed)
            if event != protocol.BEAT:
                self.run.records.append(record)
        self.stream.close()


def _supervise(child: ChildProcess, channel: _Channel, run: ChildRun, request: bytes,
               faults: Path, silence: float, backstop: float) -> None:
    """Hand the child its request, then wait for it, stopping it if it falls silent or overruns."""
    started = time.monotonic()
    assert child.stdin is not None
    try:
        child.stdin.write(request)
        child.stdin.close()
    except OSError:
        pass  # the child is already gone: its exit code says why
    while True:
        try:
            run.code = child.wait(timeout=0.1)
            return
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        name = channel.running
        if name is not None and now - channel.last_heard > silence:
            return _stop(child, run, name, "silent", faults)
        if name is not None and now - channel.running_since > backstop:
            return _stop(child, run, name, "backstop", faults)
        if now - started > BACKSTOP_SECONDS:
            return _stop(child, run, name or "(starting the tests)", "backstop", faults)


def _stop(child: ChildProcess, run: ChildRun, name: str, why: str, faults: Path) -> None:
    """Stop a stuck child; on POSIX, first ask faulthandler for every stack (it needs no GIL)."""
    dump = Path(str(faults) + ".dump")
    if os.name != "nt":
        try:
            child.send_signal(signal.SIGUSR1)
            # Wait until the dump is written *and* no longer growing: it holds every thread's
            # stack, and the first "File" line may be another thread's (seen on a loaded run).
            deadline, seen = time.monotonic() + 2, ""
            while time.monotonic() < deadline:
                time.sleep(0.05)
                text = _read(dump)
                if "File" in text and text == seen:
                    break
                seen = text
        except OSError:
            pass
    child.kill()
    child.wait()
    run.stopped, run.stopped_why, run.code = name, why, None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


_FAULT_FRAME = re.compile(r'File "(?P<file>.+)", line (?P<line>\d+) in (?P<function>\S+)')
_ESCAPE = re.compile(r"\\x([0-9a-f]{2})|\\u([0-9a-f]{4})|\\U([0-9a-f]{8})")


def _unescape(name: str) -> str:
    """faulthandler writes non-ASCII characters of a path as \\xNN, \\uNNNN or \\UNNNNNNNN."""
    return _ESCAPE.sub(lambda m: chr(int(next(g for g in m.groups() if g), 16)), name)


def _fault_location(faults: Path, target: str) -> dict[str, Any] | None:
    """The innermost frame in the attendee's folder of a faulthandler dump, if any."""
    text = _read(faults)
    if not text:
        return None
    folder = target_path(target).resolve()
    for match in _FAULT_FRAME.finditer(text):
        path = Path(_unescape(match["file"]))
        try:
            inside = path.resolve().is_relative_to(folder)
        except (OSError, ValueError):
            inside = False
        if inside:  # faulthandler lists the innermost frame first
            shown = _shown(path)
            try:
                code = path.read_text(encoding="utf-8").splitlines()[int(match["line"]) - 1].strip()
            except (OSError, IndexError, UnicodeDecodeError):
                code = ""
            return {"file": shown, "line": int(match["line"]), "function": match["function"],
                    "code": code}
    return None


def _tail(output: Path, lines: int = 12, max_bytes: int = 64_000) -> str:
    try:
        with open(output, "rb") as stream:
            stream.seek(0, os.SEEK_END)
            size = stream.tell()
            stream.seek(max(0, size - max_bytes))
            text = stream.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# --- what it means --------------------------------------------------------------------------
def interpret(
    stage: Stage,
    records: list[dict[str, Any]],
    code: int | None,
    output_tail: str,
    fault: dict[str, Any] | None = None,
    *,
    expected: list[str] | None = None,
    first_failure: bool = False,
    run: ChildRun | None = None,
) -> StageResult:
    """Turn the child's records and exit code into one StageResult.

    A pass needs every expected test's passing result, the child's `end` record, and nothing
    untrusted; anything missing is a failure that says what ended the run, and where.
    """
    run = run or ChildRun(records=records, code=code)
    if run.forged is not None:
        test = TestResult("reading the results", "failed", "untrusted",
                          f"The results of this run cannot be trusted: {run.forged}.")
        return StageResult(stage.id, "failed", [test], problem="untrusted")
    load_error = next((r for r in records if r["event"] == protocol.LOAD_ERROR), None)
    if load_error is not None:
        return _load_failure(stage, load_error)
    untrusted = _untrusted(records)
    results: dict[str, TestResult] = {}
    order: list[str] = []
    running: str | None = None
    exit_call: dict[str, Any] | None = None
    hang: TestResult | None = None
    threads: list[dict[str, Any]] = []
    skipped: set[str] = set()  # by the hidden tests' own markers: not run here, not failed
    ended = False
    for record in records:
        event = record["event"]
        if event in (protocol.START, protocol.PHASE):
            running = record["name"]
        elif event == protocol.RESULT:
            name = record["name"]
            test = TestResult(name, record["status"], record.get("hint"), record.get("message", ""),
                              record.get("location"), str(record.get("output") or ""))
            if name not in results:
                order.append(name)
                results[name] = test
            elif results[name].status == "passed" and test.status == "failed":
                results[name] = test  # a teardown failure after a passing body
            running = None
        elif event == protocol.TIMEOUT:
            hang = _hang(record["name"], record["seconds"], record.get("location"),
                         record.get("why", ""), record.get("wall"))
        elif event == protocol.SKIPPED:
            skipped.add(record["name"])
        elif event == protocol.EXIT:
            exit_call = record
        elif event == protocol.THREAD:
            threads.append(record)
        elif event == protocol.END:
            ended = True
            running = None
    if run.stopped is not None and hang is None:
        hang = _hang(run.stopped, 0.0, run.stopped_location, run.stopped_why, None)
    expected = expected if expected is not None else list(order)
    tests: list[TestResult] = []
    ending: TestResult | None = None  # the failure that explains why the run ended early
    if hang is not None:
        ending = hang
    elif not ended:
        ending = _crash(running or AFTER_TESTS, run.code, output_tail, exit_call, fault)
    for name in expected:
        if name in skipped and name not in results:
            continue
        if name in results:
            tests.append(results[name])
        elif ending is not None and ending.name == name:
            tests.append(ending)
        elif first_failure and any(t.status == "failed" for t in tests):
            continue  # -x: the tests after the first failure were not meant to run
        else:
            tests.append(_no_result(name, ending))
    unknown = [n for n in order if n not in expected]
    if unknown:
        untrusted.append(TestResult("reading the results", "failed", "untrusted",
                                    f"The run reported a test the stage does not have: {unknown[0]}."))
    if ending is not None and ending.name.startswith(LOADING):
        ending.name = "loading your file"
        tests.insert(0, ending)  # the first thing that went wrong
    elif ending is not None and ending.name not in expected:
        tests.append(ending)  # after the last test
    for record in threads:
        left = _thread_left(record)
        same = [i for i, t in enumerate(tests) if t.name == left.name and t.status == "passed"]
        if same:
            tests[same[0]] = left
        else:
            tests.append(left)
    if untrusted:
        return StageResult(stage.id, "failed", untrusted + tests, problem="untrusted")
    problem = "hang" if hang is not None else ("crash" if ending is not None else None)
    passed = problem is None and bool(tests) and all(t.status == "passed" for t in tests)
    if not passed and not any(t.status == "failed" for t in tests):
        raise GraderError(f"stage {stage.id} failed with no failing test")  # never shown as a pass
    return StageResult(stage.id, "passed" if passed else "failed", tests,
                       problem=problem if problem else ("thread" if threads else None))


def _untrusted(records: list[dict[str, Any]]) -> list[TestResult]:
    found = []
    for record in records:
        if record["event"] == protocol.TAMPER:
            found.append(TestResult(record.get("name") or "checking the test run", "failed", "untrusted",
                                    f"The results of this run cannot be trusted: {record['what']}. "
                                    "Something in your code changed how the tests run."))
        elif record["event"] == protocol.SOLUTIONS:
            found.append(TestResult("checking your files", "failed", "untrusted",
                                    f"Your code opened {record['path']}: the grader grades your own "
                                    "code, not the reference solution.", record.get("location")))
    return found[:1]


def _load_failure(stage: Stage, record: dict[str, Any]) -> StageResult:
    missing = record["kind"] in ("missing_file", "not_a_file")
    location: dict[str, Any] = {k: record[k] for k in ("file", "line", "column", "code", "function")
                                if k in record}
    if record["kind"] == "not_a_file":
        message = f"{record['file']} cannot be read as a Python file: {record['message']}."
    elif missing:
        detail = record.get("message", "file not found")
        message = f"{record['file']} does not exist" + (f": {detail}." if detail != "file not found" else ".")
    elif record["kind"] == "SyntaxError":
        message = f"Python cannot read this file: {record['message']} (a syntax error)."
    else:
        message = f"Importing the file raised {record['kind']}: {record['message']}"
    test = TestResult(
        "loading your file",
        "failed",
        "missing_file" if missing else "load_error",
        message,
        location,
    )
    return StageResult(stage.id, "failed", [test], problem="load_error")


def _hang(name: str, seconds: float, location: dict[str, Any] | None, why: str = "",
          wall: float | None = None) -> TestResult:
    if name.startswith(LOADING):
        message = (f"Importing {name.removeprefix(LOADING)} did not finish within {seconds:g} "
                   "seconds: code at the top level of the file never ends.")
        return TestResult("loading your file", "failed", "hang", message, location)
    if why == "busy":
        message = (f"This test kept the processor busy for {seconds:g} seconds without finishing, "
                   "and was stopped.")
    elif why == "blocked":
        message = (f"This test waited {wall or seconds:g} seconds without doing anything (it was blocked, "
                   "waiting for something that never happened), and was stopped.")
    elif why == "silent":
        message = ("This test stopped responding (a long computation holding the interpreter), "
                   "and was stopped.")
    else:
        message = "This test did not finish in time and was stopped."
    if location:
        message += " Your code was running the line shown below when it was stopped."
    return TestResult(name, "failed", "hang", message, location)


# Windows reports a crash as an NTSTATUS exit code (e.g. 3221225477 = 0xC0000005): say what it is.
WINDOWS_CRASHES = {
    0xC0000005: "a crash in C code: access violation (0xC0000005)",
    0xC00000FD: "a crash: stack overflow (0xC00000FD), usually a recursion without end",
    0xC0000409: "a crash: the C runtime stopped the process (0xC0000409)",
    0xC000001D: "a crash: illegal instruction (0xC000001D)",
    0xC0000094: "a crash in C code: division by zero (0xC0000094)",
    0xC000013A: "stopped by Ctrl-C (0xC000013A)",
}
SIGNALS = {6: "SIGABRT: the process aborted", 9: "SIGKILL: killed from outside, e.g. out of memory",
           11: "SIGSEGV: a crash in C code", 8: "SIGFPE: an arithmetic fault in C code"}


def _crash(
    name: str,
    code: int | None,
    output_tail: str,
    exit_call: dict[str, Any] | None,
    fault: dict[str, Any] | None,
) -> TestResult:
    when = "after the last test" if name == AFTER_TESTS else "during this test"
    if exit_call is not None:
        message = (f"Your code called os._exit({exit_call['code']}), which ends the Python "
                   f"process at once ({when}): the tests could not finish.")
        return TestResult(name, "failed", "crash", message, exit_call.get("location"))
    if code is None:
        how = "it was stopped"
    elif code in WINDOWS_CRASHES or code - 2**32 in WINDOWS_CRASHES:
        how = WINDOWS_CRASHES.get(code) or WINDOWS_CRASHES[code - 2**32]
    elif code >= 0:
        how = f"exit code {code}"
    else:
        how = f"killed by signal {-code}" + (f", {SIGNALS[-code]}" if -code in SIGNALS else "")
    last = "\n".join(line for line in output_tail.splitlines() if line.strip())[-600:]
    message = f"The Python process running the tests ended {when} ({how}) without reporting a result."
    if fault is not None:
        message += " The crash happened in your code, at the line shown below."
    elif code == 0 or code == 1:
        message += (" Something in your code ended the process or cut its connection to the grader "
                    "(an exit, or closing a file it did not open).")
    elif last:
        message += f" Its last output:\n{last}"
    return TestResult(name, "failed", "crash", message, fault)


def _no_result(name: str, ending: TestResult | None) -> TestResult:
    why = f": the run ended during {ending.name!r}" if ending is not None else ""
    message = f"This test reported no result{why}."
    return TestResult(name, "failed", ending.hint if ending else "crash", message,
                      ending.location if ending else None)


def _thread_left(record: dict[str, Any]) -> TestResult:
    where = f" (started during {record['name']!r})" if record.get("name") else ""
    message = (f"Your code left a thread running when the tests were over: {record['thread']!r}"
               f"{where}. A non-daemon thread keeps the program from exiting.")
    if record.get("location"):
        message += " It was started at the line shown below."
    return TestResult(record.get("name") or AFTER_TESTS, "failed", "thread_left", message,
                      record.get("location"))
