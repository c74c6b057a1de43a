"""Nothing fakes a pass, nothing is lost: exits, forgeries and leftovers in the attendee's code.

Each case grades a small fixture exercise (tests/grader/fixtures/) as stage 00's file, in a
throwaway target, with the real stage 00 tests. A pass must mean that every test the parent
expects reported passed; anything else is the attendee's failure, with its line.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import make_target
from grader.catalogue import find_stage
from grader.paths import REPO_ROOT
from grader.results import StageResult
from grader.runner import expected_tests, run_stage
from tests_support import GOOD_SETUP

FIXTURES = Path(__file__).parent / "fixtures"
STAGE = find_stage("00_setup")
assert STAGE is not None
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file kinds, signals or pipes")
# A case about the child's process (its exit, crash, threads, channel, argv and environment)
# runs both ways a child starts: by the grader, or forked from the fork server.
both_ways = pytest.mark.usefixtures("child_start")


def grade_fixture(tmp_path: Path, name: str, timeout: float = 10.0) -> StageResult:
    source = (FIXTURES / f"{name}.py").read_text(encoding="utf-8")
    target = make_target(tmp_path, "00_setup", {"setup.py": source})
    return run_stage(STAGE, str(target), test_timeout=timeout)


def first(result: StageResult):  # type: ignore[no-untyped-def]
    failure = result.first_failure
    assert failure is not None, result
    return failure


def line_of(fixture: str, text: str) -> int:
    lines = (FIXTURES / f"{fixture}.py").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# --- 1. a pass means every expected test passed -------------------------------------------------
@both_ways
def test_exit_0_in_a_test_fails_that_test_with_its_line(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "exit0_in_last_test")
    assert result.status == "failed"
    failure = first(result)
    assert failure.name == "test_first_poll_is_ready_with_the_greeting" and failure.hint == "crash"
    assert "os._exit(0)" in failure.message
    assert failure.location["line"] == line_of("exit0_in_last_test", "os._exit(0)")
    assert len(result.tests) == len(expected_tests(STAGE))


def test_the_expected_tests_come_from_the_parent_not_the_child() -> None:
    names = expected_tests(STAGE)
    assert names[0] == "test_python_is_new_enough" and len(names) == 7
    assert "test_package_is_installed[hypothesis]" in names


# --- 2. in-process forgery takes deliberate work and leaves a trace -------------------------------
def test_patching_pytest_to_skip_test_bodies_is_refused(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "forge_patch_pytest")
    assert result.status == "failed" and result.problem == "untrusted"
    assert first(result).hint == "untrusted" and "never ran" in first(result).message


def test_a_test_skipped_by_the_attendees_code_is_a_failure(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "skips_the_tests")
    failure = first(result)
    assert result.status == "failed" and failure.name == "test_greeting"
    assert failure.hint == "untrusted" and "skipped" in failure.message
@both_ways
def test_result_lines_written_by_the_attendee_are_detected(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "forge_result_lines")
    assert result.status == "failed" and first(result).hint == "untrusted"
    assert "not written by the grader" in first(result).message
@both_ways
def test_the_channel_is_not_in_argv_or_the_environment(tmp_path: Path) -> None:
    source = GOOD_SETUP + (
        "\nimport os, sys\n"
        "def first_poll():\n"
        "    import re\n"
        "    assert not any('grade-report' in a or re.search('[0-9a-f]{64}', a) for a in sys.argv)\n"
        "    assert not any('GRADE' in k for k in os.environ), sorted(os.environ)\n"
        "    assert os.read(0, 1000) == b''\n"
        "    return Ready(greeting())\n"
    )
    target = make_target(tmp_path, "00_setup", {"setup.py": source})
    result = run_stage(STAGE, str(target))
    assert result.status == "passed", result


def test_importing_the_solution_is_flagged(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "imports_solution")
    failure = first(result)
    assert result.status == "failed" and failure.hint == "untrusted"
    assert "solutions/00_setup/setup.py" in failure.message
    assert failure.location["line"] == line_of("imports_solution", "exec_module")


@posix_only
def test_linking_the_solution_is_flagged(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {})
    (target / "00_setup" / "setup.py").symlink_to(REPO_ROOT / "solutions" / "00_setup" / "setup.py")
    result = run_stage(STAGE, str(target))
    assert result.status == "failed" and first(result).hint == "untrusted"
    assert "link into solutions/" in first(result).message


# --- 4. a thread left running ----------------------------------------------------------------------
@both_ways
@pytest.mark.timeout(60)
def test_a_thread_left_running_is_named_with_where_it_started(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "thread_left_running")
    failure = first(result)
    assert result.status == "failed" and failure.hint == "thread_left"
    assert "'forever'" in failure.message and failure.name == "test_greeting"
    assert failure.location["line"] == line_of("thread_left_running", ".start()")


# --- 5. exits outside a test are the attendee's, with the line --------------------------------------
@both_ways
def test_exit_at_import_is_a_failure_with_the_line(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "exit0_at_import")
    failure = first(result)
    assert result.status == "failed" and failure.hint == "crash"
    assert failure.name == "loading your file" and "os._exit(0)" in failure.message
    assert failure.location["line"] == line_of("exit0_at_import", "os._exit(0)")


@both_ways
@posix_only
def test_an_abort_in_an_exit_handler_names_its_line(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "abort_at_exit")
    failure = first(result)
    assert result.status == "failed" and failure.hint == "crash"
    assert "after the last test" in failure.message
    assert failure.location["function"] == "goodbye"
    assert failure.location["line"] == line_of("abort_at_exit", "os.abort()")


@both_ways
@posix_only
def test_closing_the_results_channel_fails_the_test_that_did_it(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "closes_the_channel")
    failure = first(result)
    assert result.status == "failed" and failure.hint == "crash"
    assert failure.name == "test_greeting" and "without reporting a result" in failure.message
@both_ways
def test_the_cli_exits_1_with_json_for_an_exit_at_import(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = (FIXTURES / "exit0_at_import.py").read_text(encoding="utf-8")
    target = make_target(tmp_path, "00_setup", {"setup.py": source})
    run = grade("0", "--target", str(target), "--json")
    assert run.code == 1, run.output
    stage = run.json()["stages"][0]
    assert stage["status"] == "failed" and stage["tests"][0]["hint"] == "crash"


# --- 6. a failure with no failing test is impossible, and never cached --------------------------------
@both_ways
def test_exit_1_in_a_later_test_is_a_failure_not_an_internal_error(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = (FIXTURES / "exit1_in_last_test.py").read_text(encoding="utf-8")
    target = make_target(tmp_path, "00_setup", {"setup.py": source})
    run = grade("0", "--target", str(target))
    assert run.code == 1 and "internal error" not in run.output, run.output
    assert "os._exit(1)" in run.output


# --- 7. a loop in C that holds the interpreter lock ------------------------------------------------------
@both_ways
@posix_only
@pytest.mark.timeout(90)
def test_a_c_loop_holding_the_gil_is_stopped_by_the_parent_naming_the_test(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "c_loop_holding_the_gil", timeout=1.0)
    failure = first(result)
    assert result.problem == "hang" and failure.hint == "hang"
    assert failure.name == "test_greeting"
    assert failure.location["line"] == line_of("c_loop_holding_the_gil", "sum(")


# --- 8. odd inputs get a clear message -----------------------------------------------------------------
@both_ways
def test_keyboard_interrupt_in_the_code_is_a_failure_with_its_line(tmp_path: Path) -> None:
    result = grade_fixture(tmp_path, "keyboard_interrupt")
    failure = first(result)
    assert failure.name == "test_greeting" and failure.hint == "your_code_raised"
    assert "KeyboardInterrupt" in failure.message
    assert failure.location["line"] == line_of("keyboard_interrupt", "raise KeyboardInterrupt")


def test_a_folder_in_place_of_the_stage_file(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = make_target(tmp_path, "00_setup", {})
    (target / "00_setup" / "setup.py").mkdir()
    run = grade("0", "--target", str(target))
    assert run.code == 1 and "internal error" not in run.output, run.output
    assert "is a folder" in run.output


@posix_only
@pytest.mark.timeout(60)
def test_a_named_pipe_in_place_of_the_stage_file(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = make_target(tmp_path, "00_setup", {})
    os.mkfifo(target / "00_setup" / "setup.py")
    run = grade("0", "--target", str(target), timeout=50)
    assert run.code == 1 and "not a regular file" in run.output, run.output


@posix_only
def test_a_dangling_link_is_shown_as_the_attendee_named_it(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {})
    (target / "00_setup" / "setup.py").symlink_to(tmp_path / "elsewhere" / "gone.py")
    failure = first(run_stage(STAGE, str(target)))
    assert failure.hint == "missing_file" and "is a link to" in failure.message
    assert failure.location["file"].endswith("target/00_setup/setup.py")


@both_ways
@posix_only
def test_a_segfault_under_a_non_ascii_path_keeps_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "Übung café ñ"
    folder.mkdir()
    result = grade_fixture(folder, "segfault")
    failure = first(result)
    assert result.problem == "crash" and failure.name == "test_greeting"
    assert failure.location["line"] == line_of("segfault", "string_at")
    assert "café" in failure.location["file"]


def test_reset_in_a_read_only_checkout_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from rich.console import Console

    from grader import reset
    from grader.pristine import pristine_bytes
    from grader.progress import Progress
    from grader.session import EXIT_FAILED, Session

    if pristine_bytes("00_setup/setup.py") is None:
        pytest.skip("no pristine copy of the stub in this checkout")
    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    monkeypatch.setattr(reset, "BACKUPS", tmp_path / "backups")

    def read_only(self: Path, data: bytes) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_bytes", read_only)
    console = Console(record=True, width=200)
    session = Session("x", target, console, Progress(tmp_path / "p.json"), use_cache=False,
                      test_timeout=10.0)
    code = reset.reset(session, STAGE, argparse.Namespace(yes=True))
    assert code == EXIT_FAILED
    text = console.export_text()
    assert "read-only" in text and "Nothing was overwritten" in text
    assert (target / "00_setup" / "setup.py").read_text(encoding="utf-8") == GOOD_SETUP


def test_no_stage_file_is_ever_blocked_on(tmp_path: Path) -> None:
    from grader.progress import stage_digest

    target = make_target(tmp_path, "00_setup", {})
    (target / "00_setup" / "setup.py").mkdir()
    assert stage_digest(STAGE, target)  # a folder: hashed as a marker, no IsADirectoryError
    shutil.rmtree(target / "00_setup" / "setup.py")
    if hasattr(os, "mkfifo"):
        os.mkfifo(target / "00_setup" / "setup.py")
        assert stage_digest(STAGE, target)  # a pipe: a marker, never a blocking read
