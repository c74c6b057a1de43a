"""`grade` from the attendee's side: order, locks, JSON contract, hints, progress file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import make_target
from grader.catalogue import STAGES
from grader.paths import REPO_ROOT
from tests_support import GOOD_SETUP

ANSI = re.compile(r"\x1b\[")


@pytest.fixture(scope="module")
def solutions_json(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    import os
    import subprocess
    import sys

    from grader.paths import REPO_ROOT

    env = {**os.environ, "GRADE_PROGRESS": str(tmp_path_factory.mktemp("p") / "progress.json")}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "--target", "solutions", "--json"],
                          cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=300)
    return done.returncode, json.loads(done.stdout), done.stderr


@pytest.mark.skipif(not (REPO_ROOT / "solutions").is_dir(), reason="no solutions/ in a student copy")
def test_solutions_pass_every_stage_with_json_contract(solutions_json) -> None:  # type: ignore[no-untyped-def]
    code, report, stderr = solutions_json
    assert code == 0, stderr
    assert report["target"] == "solutions"
    assert [s["id"] for s in report["stages"]] == [s.id for s in STAGES]
    for stage in report["stages"]:
        assert stage["status"] == "passed", stage["id"]
        assert stage["tests"], stage["id"]
        for test in stage["tests"]:
            assert set(test) >= {"name", "status", "hint", "message"}
            assert test["status"] == "passed" and test["hint"] is None


def test_untouched_stubs_fail_stage_00_and_lock_the_rest(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("--json")
    assert run.code == 1
    stages = run.json()["stages"]
    assert stages[0]["id"] == "00_setup" and stages[0]["status"] == "failed"
    assert all(s["status"] == "locked" for s in stages[1:])
    failed = [t for t in stages[0]["tests"] if t["status"] == "failed"]
    assert failed and failed[0]["hint"] == "not_started"


def test_json_keeps_stdout_clean(grade, progress_path: Path) -> None:  # type: ignore[no-untyped-def]
    progress_path.parent.mkdir(parents=True)
    progress_path.write_text("{ this is not json", encoding="utf-8")
    run = grade("--json")
    json.loads(run.stdout)  # the warning about the damaged file went to stderr
    assert "damaged" in run.stderr


def test_a_locked_stage_says_how_to_unlock(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("1")
    assert run.code == 1
    text = " ".join(run.output.split())
    assert "locked" in text and "grade 0" in text


def test_a_locked_stage_is_locked_in_json(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("01_future", "--json")
    statuses = {s["id"]: s["status"] for s in run.json()["stages"]}
    assert statuses["01_future"] == "locked" and statuses["00_setup"] == "not_run"


def test_list_shows_every_stage(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("list")
    assert run.code == 0
    for stage in STAGES:
        assert stage.title in run.output


def test_progressive_hints_remember_the_level(grade) -> None:  # type: ignore[no-untyped-def]
    assert grade().code == 1
    first = grade("hint")
    assert "Hint 1/3" in first.output and "Where to look" in first.output
    assert "Hint 2/3" in grade("hint").output
    last = grade("hint")
    assert "Hint 3/3" in last.output and "In Rust" in last.output
    assert "Hint 3/3" in grade("hint").output  # stays at the last level


def test_no_colour_when_not_a_terminal_or_no_color(grade) -> None:  # type: ignore[no-untyped-def]
    assert not ANSI.search(grade().output)
    assert not ANSI.search(grade(env={"NO_COLOR": "1", "FORCE_COLOR": ""}).output)


def test_narrow_terminal_still_readable(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade(env={"COLUMNS": "80"})
    assert max(len(line) for line in run.stdout.splitlines()) <= 80


def test_corrupted_progress_is_set_aside_and_rebuilt(grade, progress_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    progress_path.parent.mkdir(parents=True)
    progress_path.write_bytes(b"\x00\xff garbage")
    run = grade("0", "--target", str(target))
    assert "Traceback" not in run.output and "damaged" in run.output
    backup = progress_path.with_name("progress.json.damaged")
    assert backup.read_bytes() == b"\x00\xff garbage"  # kept, never deleted


@pytest.mark.parametrize("content", ['{"version": 99}', "[]", '{"version": 1, "results": 3}'])
def test_progress_of_another_layout_is_rebuilt(grade, progress_path: Path, content: str) -> None:  # type: ignore[no-untyped-def]
    progress_path.parent.mkdir(parents=True)
    progress_path.write_text(content, encoding="utf-8")
    run = grade("--json")
    assert run.code == 1 and json.loads(run.stdout)["stages"][0]["status"] == "failed"
    assert json.loads(progress_path.read_text(encoding="utf-8"))["version"] == 1


def test_unwritable_progress_only_costs_the_cache(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    run = grade("--json", env={"GRADE_PROGRESS": str(blocker / "progress.json")})
    assert run.code == 1 and json.loads(run.stdout)["stages"][0]["status"] == "failed"
    assert "Could not save progress" in run.stderr


def test_grade_works_from_a_subfolder(grade) -> None:  # type: ignore[no-untyped-def]
    from grader.paths import REPO_ROOT

    run = grade("list", cwd=REPO_ROOT / "exercises" / "01_future")
    assert run.code == 0 and "The Future trait" in run.output


def test_cached_verdict_is_reused_and_invalidated_by_an_edit(tmp_path: Path) -> None:
    from rich.console import Console

    from grader.catalogue import find_stage
    from grader.cli import Session
    from grader.progress import Progress

    stage = find_stage("00_setup")
    assert stage is not None
    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    progress = Progress(tmp_path / "progress.json")
    session = Session("custom", target, Console(quiet=True), progress, True, 10.0)
    first = session.verdict(stage)
    assert first is not None and first.status == "passed" and not first.cached
    again = session.verdict(stage)
    assert again is not None and again.cached and again.status == "passed"
    (target / "00_setup" / "setup.py").write_text(GOOD_SETUP.replace("Hello", "Bye"), "utf-8")
    edited = session.verdict(stage)
    assert edited is not None and not edited.cached and edited.status == "failed"
