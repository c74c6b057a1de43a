"""`grade solution [N]`: refused until the stage passes, then yours next to the reference.

For the attendee's own `exercises/`, "passed" is the verdict `grade` cached for the current
content of their file. These tests record that verdict in an isolated progress file through
the same `Progress` API `grade` uses (keyed by the digest of the real `exercises/` files), so
the real exercises folder is never touched. A `--target` folder has no cache: there the
command runs the stage's tests, which the last tests exercise end to end.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

import grader.solution
from conftest import make_target
from grader.catalogue import STAGES
from grader.paths import REPO_ROOT
from grader.progress import Progress, stage_digest
from grader.results import StageResult
from grader.results import TestResult as OneTest
from grader.session import Session
from tests_support import GOOD_SETUP

SETUP = STAGES[0]
if not (REPO_ROOT / "solutions").is_dir():
    pytest.skip("solutions/ is not in this student copy", allow_module_level=True)
REFERENCE = (REPO_ROOT / "solutions" / SETUP.id / SETUP.files[0]).read_text(encoding="utf-8")
# A line of the reference answer that the pristine stub does not contain.
ANSWER_LINE = next(
    line.strip()
    for line in REFERENCE.splitlines()
    if line.strip().startswith("return ")
    and line.strip() not in (REPO_ROOT / "exercises" / SETUP.id / SETUP.files[0]).read_text("utf-8")
)


def flat(text: str) -> str:
    return " ".join(text.split())


def record(progress_path: Path, result: str = "passed", digest: str | None = None) -> None:
    """What `grade 0` stores after a run, for the current content of exercises/00_setup."""
    progress = Progress(progress_path)
    test = OneTest("test_greeting", "passed" if result == "passed" else "failed")
    progress.store(
        SETUP,
        digest or stage_digest(SETUP, REPO_ROOT / "exercises"),
        StageResult(SETUP.id, result, [test]),  # type: ignore[arg-type]
    )
    progress.save()


def test_refused_before_the_stage_was_run(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("solution", "0")
    assert run.code == 1, run.output
    text = flat(run.output)
    assert "once your stage passes" in text and "grade 0" in text
    assert ANSWER_LINE not in run.output


def test_refused_while_the_stage_fails(grade, progress_path: Path) -> None:  # type: ignore[no-untyped-def]
    record(progress_path, "failed")
    run = grade("solution", "0")
    assert run.code == 1
    assert "has not passed yet" in flat(run.output) and "grade hint 0" in flat(run.output)
    assert ANSWER_LINE not in run.output


def test_refused_when_the_file_changed_since_it_passed(grade, progress_path: Path) -> None:  # type: ignore[no-untyped-def]
    record(progress_path, "passed", digest="an older version of the file")
    run = grade("solution", "0")
    assert run.code == 1
    assert "changed since it passed" in flat(run.output)
    assert ANSWER_LINE not in run.output


def test_no_default_stage_before_any_pass(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("solution")
    assert run.code == 1
    assert "No stage has passed yet" in flat(run.output)


def test_after_a_pass_the_differences_yours_minus_reference_plus(grade, progress_path: Path) -> None:  # type: ignore[no-untyped-def]
    record(progress_path)
    run = grade("solution", "0", env={"COLUMNS": "80"})
    assert run.code == 0, run.output
    lines = run.stdout.splitlines()
    assert any(line.startswith("+") and ANSWER_LINE in line for line in lines)  # the reference's line
    assert any(line.startswith("-") and "todo(" in line for line in lines)  # the stub's line
    assert f"--- yours · exercises/{SETUP.id}/{SETUP.files[0]}" in run.stdout
    assert f"+++ reference · solutions/{SETUP.id}/{SETUP.files[0]}" in run.stdout
    assert "--full" in run.stdout
    assert all(len(line) <= 80 for line in lines)
    assert "Traceback" not in run.output


def test_full_shows_yours_then_the_reference(grade, progress_path: Path) -> None:  # type: ignore[no-untyped-def]
    record(progress_path)
    run = grade("solution", "0", "--full", env={"COLUMNS": "80"})
    assert run.code == 0, run.output
    assert ANSWER_LINE in run.output
    lines = run.stdout.splitlines()
    yours = next(i for i, line in enumerate(lines) if "yours" in line)
    reference = next(i for i, line in enumerate(lines) if "reference ·" in line)
    assert yours < reference  # one after the other at 80 columns
    assert f"exercises/{SETUP.id}/{SETUP.files[0]}" in run.stdout
    assert f"solutions/{SETUP.id}/{SETUP.files[0]}" in run.stdout
    assert re.search(r"^\s*1 ", run.stdout, re.MULTILINE)  # line numbers
    assert all(len(line) <= 80 for line in lines)
    assert "Traceback" not in run.output


def test_side_by_side_on_a_wide_terminal(grade, progress_path: Path) -> None:  # type: ignore[no-untyped-def]
    record(progress_path)
    run = grade("solution", "--full", env={"COLUMNS": "170"})  # default: the last passed stage
    assert run.code == 0, run.output
    assert any("yours" in line and "reference" in line for line in run.stdout.splitlines())
    assert ANSWER_LINE in run.stdout


def test_a_target_folder_is_graded_first(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = make_target(tmp_path / "good", SETUP.id, {"setup.py": GOOD_SETUP})
    run = grade("solution", "0", "--target", str(good), "--full")
    assert run.code == 0, run.output
    assert ANSWER_LINE in run.stdout and "yours" in run.stdout

    stub = (REPO_ROOT / "exercises" / SETUP.id / SETUP.files[0]).read_text(encoding="utf-8")
    bad = make_target(tmp_path / "bad", SETUP.id, {"setup.py": stub})
    run = grade("solution", "0", "--target", str(bad))
    assert run.code == 1, run.output
    assert "does not pass" in flat(run.output)
    assert ANSWER_LINE not in run.output


def test_a_target_folder_needs_a_stage_number(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = make_target(tmp_path, SETUP.id, {"setup.py": GOOD_SETUP})
    run = grade("solution", "--target", str(target))
    assert run.code == 2
    assert "grade solution N" in run.output and "Traceback" not in run.output


def test_a_student_copy_says_solutions_are_not_included(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(grader.solution, "REPO_ROOT", tmp_path)  # a copy without solutions/
    out = io.StringIO()
    console = Console(file=out, width=80, no_color=True)
    session = Session(
        "exercises", REPO_ROOT / "exercises", console, Progress(tmp_path / "p.json"), True, 10.0
    )
    assert grader.solution.show_solution(session, SETUP, None) == 1  # type: ignore[arg-type]
    assert "not included in this copy" in flat(out.getvalue())
