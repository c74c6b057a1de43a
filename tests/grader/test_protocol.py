"""The parent<->child contract is declared once (grader/protocol.py), and both sides keep to it."""

from __future__ import annotations

import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import child_plugin, paths, protocol, runner
from grader.child import pytest_args
from grader.paths import REPO_ROOT
from grader.protocol import COLLECT, RUN, RunRequest


def test_the_plugin_docstring_lists_every_declared_event() -> None:
    doc = child_plugin.__doc__ or ""
    for name, spec in protocol.EVENTS.items():
        assert f'"event": "{name}"' in doc and spec.meaning in doc


def test_the_plugin_writes_only_declared_events() -> None:
    source = Path(child_plugin.__file__).read_text(encoding="utf-8")
    assert '"event":' not in source  # every record goes through protocol.record / Reporter.emit
    with pytest.raises(ValueError, match="undeclared event"):
        protocol.record("verdict", name="x")
    with pytest.raises(ValueError, match="missing"):
        protocol.record(protocol.RESULT, name="test_x", status="passed", hint=None)
    with pytest.raises(ValueError, match="undeclared"):
        protocol.record(protocol.START, name="test_x", colour="green")
    assert protocol.record(protocol.START, name="t") == {"event": "start", "name": "t"}


def test_the_parent_reads_events_by_the_declared_names() -> None:
    source = Path(runner.__file__).read_text(encoding="utf-8")
    assert 'event in ("' not in source
    for name in protocol.EVENTS:
        assert f'== "{name}"' not in source


def test_a_signed_line_of_an_undeclared_event_is_not_trusted() -> None:
    key = os.urandom(32)
    read_fd, write_fd = os.pipe()
    run = runner.ChildRun()
    channel = runner._Channel(read_fd, key, run)
    for seq, record in enumerate([{"event": "start", "name": "t"}, {"event": "verdict", "ok": True}]):
        payload = json.dumps(record)
        os.write(write_fd, f"{protocol.sign(key, seq, payload)} {payload}\n".encode())
    os.close(write_fd)
    channel.thread.join(5)
    assert run.records == [{"event": "start", "name": "t"}]
    assert run.forged is not None and "not one the grader writes" in run.forged


def test_a_run_request_round_trips_and_builds_the_pytest_command() -> None:
    request = RunRequest(RUN, "01_future", "tests/stages/test_01_future.py", "exercises", 2.5, True,
                         key="ab" * 32, fd=7, faults="/tmp/f")
    assert RunRequest.parse(request.line()) == request
    args = pytest_args(request)
    assert args[0] == request.test_file and "--target=exercises" in args and "-x" in args
    assert not any(request.key in a for a in args)  # the key is the plugin's, never argv
    collect = pytest_args(RunRequest(COLLECT, "01_future", request.test_file, "solutions", listing="l"))
    assert "--collect-only" in collect and "-x" not in collect
    assert hmac.compare_digest(protocol.sign(b"k", 0, "p"), protocol.sign(b"k", 0, "p"))


def test_one_repository_root_and_one_target_resolver() -> None:
    from kit import loader

    assert loader.REPO_ROOT is paths.REPO_ROOT
    assert paths.target_path("exercises") == REPO_ROOT / "exercises"
    assert paths.target_path("solutions") == REPO_ROOT / "solutions"
    assert paths.target_path("some/folder") == Path("some/folder").resolve()
    loader.set_target("exercises")
    try:
        assert loader.target_dir() == paths.target_path("exercises")
    finally:
        loader.set_target("solutions")


def test_one_default_test_timeout() -> None:
    assert runner.DEFAULT_TEST_TIMEOUT is protocol.DEFAULT_TEST_TIMEOUT
    assert RunRequest(RUN, "s", "f", "t").test_timeout == protocol.DEFAULT_TEST_TIMEOUT


def test_the_plugin_declares_the_target_option_and_the_hint_marker() -> None:
    """Outside the tests folder (no conftest), `-p grader.child_plugin` alone is enough."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "grader.child_plugin", "--markers",
                           "-p", "no:cacheprovider", "--rootdir", str(REPO_ROOT / "grader"),
                           "-c", os.devnull], cwd=REPO_ROOT / "grader", capture_output=True, text=True,
                          timeout=60, check=False)
    assert "@pytest.mark.hint(id, raises=())" in done.stdout, done.stdout + done.stderr
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "grader.child_plugin", "--help",
                           "-c", os.devnull], cwd=REPO_ROOT / "grader", capture_output=True, text=True,
                          timeout=60, check=False)
    assert "--target" in done.stdout


def test_hypothesis_tests_run_under_the_grading_profile() -> None:
    """tests/conftest.py loads it just before a module that names hypothesis is imported."""
    from hypothesis import settings

    assert settings.get_current_profile_name() == "grading"
    assert settings.default.derandomize and settings.default.database is None
