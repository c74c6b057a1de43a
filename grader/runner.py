"""Run one stage's hidden tests in a child pytest process and interpret what it reported.

The child writes JSON lines (see child_plugin); this side never imports the attendee's code.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.results import StageResult, TestResult

DEFAULT_TEST_TIMEOUT = 10.0  # seconds per test; the hidden tests take milliseconds
BACKSTOP_SECONDS = 300.0  # the whole child, should the per-test watchdog itself fail


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
    if not test_file.exists():
        raise GraderError(
            f"the hidden tests of stage {stage.id} are missing ({stage.test_file}); "
            "restore them with `git checkout -- tests` or a fresh copy of the repository"
        )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        report = Path(tmp) / "report.jsonl"
        output = Path(tmp) / "output.txt"
        report.touch()
        command = [
            sys.executable,
            "-m",
            "pytest",
            stage.test_file,
            "-p",
            "grader.child_plugin",
            f"--target={target}",
            f"--grade-report={report}",
            f"--grade-stage={stage.id}",
            f"--grade-test-timeout={test_timeout}",
            "-q",
            "--color=no",
            "-p",
            "no:cacheprovider",
            "--timeout=0",  # our own watchdog (child_plugin) times tests, signal-free
            # Hidden tests fail through kit.fail, never bare asserts: skipping the rewrite of
            # every plugin module (hypothesis!) saves about a second per run.
            "--assert=plain",
            "-p", "no:faulthandler",  # child_plugin sends crash stacks to its own file
        ]
        if first_failure:
            command.append("-x")
        code = _run(command, output)
        records = _read_records(report)
        fault = _fault_location(report.with_suffix(".faults"), target)
        result = interpret(stage, records, code, _tail(output), fault)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _run(command: list[str], output: Path) -> int | None:
    """Run the child with its output going to a file (a print flood can't fill our memory)."""
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_COLOR": "1",
        "PYTHONIOENCODING": "utf-8",
    }
    env.pop("PYTEST_ADDOPTS", None)
    with open(output, "wb") as sink:
        child = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        try:
            return child.wait(timeout=BACKSTOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            return None
        except BaseException:  # Ctrl-C: never leave the child behind
            child.kill()
            child.wait()
            raise


def _read_records(report: Path) -> list[dict[str, Any]]:
    records = []
    for line in report.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a dying process
    return records


_FAULT_FRAME = re.compile(r'File "(?P<file>.+)", line (?P<line>\d+) in (?P<function>\S+)')


def _fault_location(faults: Path, target: str) -> dict[str, Any] | None:
    """The innermost frame in the attendee's folder of a faulthandler dump, if any."""
    if not faults.exists():
        return None
    folder = (REPO_ROOT / target if target in ("exercises", "solutions") else Path(target)).resolve()
    for match in _FAULT_FRAME.finditer(faults.read_text(encoding="utf-8", errors="replace")):
        path = Path(match["file"])
        if path.is_relative_to(folder):  # faulthandler lists the innermost frame first
            try:
                shown = path.relative_to(REPO_ROOT).as_posix()
            except ValueError:
                shown = str(path)
            return {"file": shown, "line": int(match["line"]), "function": match["function"]}
    return None


def _tail(output: Path, lines: int = 12, max_bytes: int = 64_000) -> str:
    with open(output, "rb") as stream:
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(max(0, size - max_bytes))
        text = stream.read().decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def interpret(
    stage: Stage,
    records: list[dict[str, Any]],
    code: int | None,
    output_tail: str,
    fault: dict[str, Any] | None = None,
) -> StageResult:
    """Turn the child's records and exit code into one StageResult."""
    load_error = next((r for r in records if r["event"] == "load_error"), None)
    if load_error is not None:
        return _load_failure(stage, load_error)
    tests: list[TestResult] = []
    running: str | None = None
    for record in records:
        event = record["event"]
        if event == "start":
            running = record["name"]
        elif event == "result":
            tests.append(
                TestResult(
                    record["name"],
                    record["status"],
                    record.get("hint"),
                    record.get("message", ""),
                    record.get("location"),
                )
            )
            running = None
        elif event == "timeout":
            tests.append(_hang(record["name"], record["seconds"], record.get("location")))
            return StageResult(stage.id, "failed", tests, problem="hang")
    if code is None:
        tests.append(_hang(running or "(starting the tests)", BACKSTOP_SECONDS, None))
        return StageResult(stage.id, "failed", tests, problem="hang")
    if running is not None and code not in (0, 1):
        exit_call = next((r for r in records if r["event"] == "exit"), None)
        tests.append(_crash(running, code, output_tail, exit_call, fault))
        return StageResult(stage.id, "failed", tests, problem="crash")
    if code not in (0, 1) or not tests:
        raise GraderError(
            f"the hidden tests of stage {stage.id} could not run (pytest exit code "
            f"{code}). Its last output was:\n{output_tail}"
        )
    passed = code == 0 and all(t.status == "passed" for t in tests)
    return StageResult(stage.id, "passed" if passed else "failed", tests)


def _load_failure(stage: Stage, record: dict[str, Any]) -> StageResult:
    missing = record["kind"] == "missing_file"
    location = {k: record[k] for k in ("file", "line", "column", "code", "function") if k in record}
    if missing:
        message = f"{record['file']} does not exist."
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


def _hang(name: str, seconds: float, location: dict[str, Any] | None) -> TestResult:
    from grader.child_plugin import LOADING  # here, not at the top: it imports pytest (~0.4 s)

    if name.startswith(LOADING):
        message = (f"Importing {name.removeprefix(LOADING)} did not finish within {seconds:g} "
                   "seconds: code at the top level of the file never ends.")
        return TestResult("loading your file", "failed", "hang", message, location)
    message = f"This test did not finish within {seconds:g} seconds and was stopped."
    if location:
        message += " Your code was running the line shown below when it was stopped."
    return TestResult(name, "failed", "hang", message, location)


def _crash(
    name: str,
    code: int,
    output_tail: str,
    exit_call: dict[str, Any] | None,
    fault: dict[str, Any] | None,
) -> TestResult:
    if exit_call is not None:
        message = (f"Your code called os._exit({exit_call['code']}), which ends the Python "
                   "process at once: the test could not finish.")
        return TestResult(name, "failed", "crash", message, exit_call.get("location"))
    how = f"exit code {code}" if code >= 0 else f"killed by signal {-code}"
    last = "\n".join(line for line in output_tail.splitlines() if line.strip())[-600:]
    message = f"The Python process running the tests ended during this test ({how})."
    if fault is not None:
        message += " The crash happened in your code, at the line shown below."
    elif last:
        message += f" Its last output:\n{last}"
    return TestResult(name, "failed", "crash", message, fault)
