"""The grader's answer to broken attendee code: a clear verdict, never a traceback.

Each case is a throwaway target graded with the real stage 00 tests (so nothing under
exercises/ is touched), with a short per-test timeout so hangs are caught quickly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_target
from grader.catalogue import find_stage
from grader.results import StageResult
from grader.runner import run_stage
from tests_support import GOOD_SETUP

STAGE = find_stage("00_setup")
assert STAGE is not None


def grade_setup(tmp_path: Path, source: str | None, timeout: float = 10.0) -> StageResult:
    files = {} if source is None else {"setup.py": source}
    target = make_target(tmp_path, "00_setup", files)
    return run_stage(STAGE, str(target), test_timeout=timeout)


def first(result: StageResult):  # type: ignore[no-untyped-def]
    failure = result.first_failure
    assert failure is not None, result
    return failure


def test_good_file_passes(tmp_path: Path) -> None:
    assert grade_setup(tmp_path, GOOD_SETUP).status == "passed"


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    result = grade_setup(tmp_path, "def greeting(:\n    return 1\n")
    failure = first(result)
    assert result.problem == "load_error" and failure.hint == "load_error"
    assert failure.location["file"].endswith("00_setup/setup.py")
    assert failure.location["line"] == 1 and failure.location["column"]
    assert "syntax error" in failure.message


def test_import_error_names_the_module(tmp_path: Path) -> None:
    failure = first(grade_setup(tmp_path, "import no_such_module_here\n"))
    assert failure.hint == "load_error"
    assert "ModuleNotFoundError" in failure.message and "no_such_module_here" in failure.message
    assert failure.location["line"] == 1


def test_name_error_at_import_names_the_line(tmp_path: Path) -> None:
    failure = first(grade_setup(tmp_path, "x = 1\ngreeting = undefined_thing\n"))
    assert failure.hint == "load_error" and "NameError" in failure.message
    assert failure.location["line"] == 2 and "undefined_thing" in failure.location["code"]


def test_missing_file_says_so(tmp_path: Path) -> None:
    failure = first(grade_setup(tmp_path, None))
    assert failure.hint == "missing_file" and "does not exist" in failure.message


def test_infinite_loop_becomes_a_hang_with_the_line(tmp_path: Path) -> None:
    source = GOOD_SETUP.replace('    return "Hello, Future!"',
                                "    while True:\n        pass")
    result = grade_setup(tmp_path, source, timeout=1.0)
    failure = first(result)
    assert result.problem == "hang" and failure.hint == "hang"
    assert failure.location["function"] == "greeting"
    assert failure.location["code"] in ("while True:", "pass")


def test_infinite_loop_at_import_is_a_hang_too(tmp_path: Path) -> None:
    result = grade_setup(tmp_path, "while True:\n    pass\n", timeout=1.0)
    assert result.problem == "hang" and first(result).hint == "hang"


def test_deep_recursion_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    source = GOOD_SETUP.replace('    return "Hello, Future!"', "    return greeting()")
    failure = first(grade_setup(tmp_path, source))
    assert failure.hint == "first_edit" and "RecursionError" in failure.message


def test_os_exit_is_a_crash_naming_the_test(tmp_path: Path) -> None:
    source = "import os\n" + GOOD_SETUP.replace('    return "Hello, Future!"', "    os._exit(3)")
    result = grade_setup(tmp_path, source)
    failure = first(result)
    assert result.problem == "crash" and failure.hint == "crash"
    assert failure.name == "test_greeting" and "os._exit(3)" in failure.message
    assert failure.location["function"] == "greeting" and failure.location["line"] == 6


def test_sys_exit_is_a_failure(tmp_path: Path) -> None:
    source = "import sys\n" + GOOD_SETUP.replace('    return "Hello, Future!"', "    sys.exit(1)")
    failure = first(grade_setup(tmp_path, source))
    assert failure.name == "test_greeting" and "sys.exit(1)" in failure.message


def test_print_flood_does_not_drown_the_grader(tmp_path: Path) -> None:
    source = GOOD_SETUP.replace('    return "Hello, Future!"',
                                '    print("spam " * 1000000)\n    return "Hello, Future!"')
    assert grade_setup(tmp_path, source).status == "passed"


def test_hard_crash_of_the_interpreter(tmp_path: Path) -> None:
    source = "import ctypes\n" + GOOD_SETUP.replace(
        '    return "Hello, Future!"', "    ctypes.string_at(0)\n    return ''")
    result = grade_setup(tmp_path, source)
    failure = first(result)
    assert result.problem == "crash" and failure.name == "test_greeting"
    assert failure.location["function"] == "greeting" and failure.location["line"] == 6


@pytest.mark.parametrize("argv", [["no_such_stage"], ["hint", "99"], ["1", "2"],
                                  ["--target", "/no/such/folder"]])
def test_usage_errors_exit_2_without_traceback(grade, argv: list[str]) -> None:  # type: ignore[no-untyped-def]
    run = grade(*argv)
    assert run.code == 2 and "Traceback" not in run.output
    assert "grade:" in run.output


def test_broken_exercise_through_the_cli_shows_a_panel(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = make_target(tmp_path, "00_setup", {"setup.py": "def greeting(:\n"})
    run = grade("0", "--target", str(target))
    assert run.code == 1 and "Traceback" not in run.output
    assert "Your file does not load" in run.output and "def greeting(:" in run.output


def test_infinite_loop_in_poll_names_the_poll_line(tmp_path: Path) -> None:
    from grader.paths import REPO_ROOT

    stage = find_stage("01_future")
    assert stage is not None
    solution = (REPO_ROOT / "solutions" / "01_future" / "future.py").read_text(encoding="utf-8")
    looping = solution.replace(
        '            raise PolledAfterCompletion("ReadyFuture polled after it returned Ready")\n'
        "        self._done = True\n",
        '            raise PolledAfterCompletion("ReadyFuture polled after it returned Ready")\n'
        "        while not self._done:\n            pass\n",
    )
    assert looping != solution
    target = make_target(tmp_path, "01_future", {"future.py": looping})
    result = run_stage(stage, str(target), test_timeout=1.0)
    failure = first(result)
    assert result.problem == "hang" and failure.hint == "hang"
    assert failure.location["function"] == "poll"
    assert failure.location["code"] in ("while not self._done:", "pass")


def test_deleted_hidden_tests_are_a_grader_error() -> None:
    import dataclasses

    from grader.runner import GraderError

    ghost = dataclasses.replace(STAGE, id="00_no_such_tests")
    with pytest.raises(GraderError, match="hidden tests of stage 00_no_such_tests are missing"):
        run_stage(ghost, "exercises")
