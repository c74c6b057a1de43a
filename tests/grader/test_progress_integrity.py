"""Progress is never lost or stale, never trusted blindly, and readable on any terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from conftest import make_target
from grader import render
from grader.catalogue import STAGES, find_stage
from grader.paths import REPO_ROOT
from grader.progress import Progress, stage_digest
from grader.results import StageResult
from grader.results import TestResult as Outcome
from grader.runner import GraderError
from grader.session import Session
from tests_support import GOOD_SETUP

STAGE = find_stage("00_setup")
assert STAGE is not None
PASSED = StageResult("00_setup", "passed", [Outcome("test_greeting", "passed")])


# --- 9. concurrent grade processes never lose an entry -----------------------------------------
SAVER = """
import dataclasses, sys
from grader.catalogue import find_stage
from grader.progress import Progress
from grader.results import StageResult, TestResult
worker, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
base = find_stage("00_setup")
for i in range(count):
    stage = dataclasses.replace(base, id=f"w{worker}_{i:04d}")
    progress = Progress(__import__("pathlib").Path(path))  # a fresh `grade` each time
    progress.store(stage, "digest", StageResult(stage.id, "passed", [TestResult("t", "passed")]))
    if i % 10 == 0:
        progress.next_hint_level(stage, "hint", 3)
    progress.save()  # what `grade` calls at the end of a run
    assert not progress.warnings, progress.warnings
"""


@pytest.mark.timeout(300)
def test_four_processes_saving_at_once_lose_no_entry(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    workers, count = 4, 60
    children = [subprocess.Popen([sys.executable, "-c", SAVER, str(w), str(count), str(path)],
                                 cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True)
                for w in range(workers)]
    for child in children:
        _, err = child.communicate(timeout=280)
        assert child.returncode == 0, err
    data = json.loads(path.read_text(encoding="utf-8"))
    expected = {f"w{w}_{i:04d}" for w in range(workers) for i in range(count)}
    assert set(data["results"]) == expected
    assert len(data["hints"]) == workers * len(range(0, count, 10))
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_long_lived_session_does_not_undo_another_process(tmp_path: Path) -> None:
    """`grade watch` keeps its Progress for hours; a `grade hint` meanwhile must survive."""
    path = tmp_path / "progress.json"
    watching = Progress(path)
    Progress(path).next_hint_level(STAGE, "first_edit", 3)  # another terminal: grade hint
    watching.store(STAGE, "d", PASSED)  # watch re-runs and stores
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["hints"]["00_setup"] == {"hint": "first_edit", "level": 1}
    assert data["results"]["00_setup"]["digest"] == "d"


# --- 10. the cache key covers the whole stage folder, only default runs are stored ----------------
def test_a_helper_module_beside_the_stage_file_is_part_of_the_key(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP, "helper.py": "X = 1\n"})
    before = stage_digest(STAGE, target)
    (target / "00_setup" / "helper.py").write_text("X = 2\n", encoding="utf-8")
    assert stage_digest(STAGE, target) != before
    (target / "00_setup" / "sub").mkdir()
    (target / "00_setup" / "sub" / "more.py").write_text("Y = 1\n", encoding="utf-8")
    assert stage_digest(STAGE, target) != before


def test_a_run_with_a_non_default_timeout_is_not_cached(grade, progress_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = grade("0", "--timeout", "0.0001")
    assert run.code == 1, run.output
    data = json.loads(progress_path.read_text(encoding="utf-8")) if progress_path.exists() else {}
    assert "00_setup" not in data.get("results", {})


# --- 6. a grader error is never cached ------------------------------------------------------------
def _session(tmp_path: Path, target: Path) -> Session:
    return Session("exercises", target, Console(record=True), Progress(tmp_path / "p.json"),
                   use_cache=True, test_timeout=10.0)


def test_a_grader_error_or_a_failure_without_a_failing_test_is_never_cached(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import grader.session

    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    session = _session(tmp_path, target)

    def broken(*args: object, **kwargs: object) -> StageResult:
        raise GraderError("boom")

    monkeypatch.setattr(grader.session, "run_stage", broken)
    with pytest.raises(GraderError):
        session.verdict(STAGE)
    monkeypatch.setattr(grader.session, "run_stage",
                        lambda *a, **k: StageResult("00_setup", "failed", [Outcome("t", "passed")]))
    session.verdict(STAGE)
    assert Progress(tmp_path / "p.json").data["results"] == {}
    assert session.stored == []


def test_an_internal_error_forgets_what_the_run_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader import cli, render

    monkeypatch.setenv("GRADE_PROGRESS", str(tmp_path / "p.json"))
    monkeypatch.setattr(render, "failure_panel", lambda *a: 1 / 0)  # a rendering bug
    target = make_target(tmp_path, "00_setup", {"setup.py": "def greeting(:\n"})
    monkeypatch.setattr(cli, "resolve_target", lambda name: target)
    code = cli.main(["0"])  # as if grading `exercises` (cached), with the broken file
    assert code == 2
    assert Progress(tmp_path / "p.json").data["results"] == {}


# --- 3. the progress file is not trusted for "All done" -------------------------------------------
def _forge_all_passed(progress_path: Path) -> None:
    results = {
        stage.id: {"digest": stage_digest(stage, REPO_ROOT / "exercises"),
                   "result": StageResult(stage.id, "passed", [Outcome("test_x", "passed")]).to_json()}
        for stage in STAGES
    }
    progress_path.parent.mkdir(parents=True, exist_ok=True)
    progress_path.write_text(json.dumps({"version": 1, "results": results, "hints": {}}), encoding="utf-8")


def test_forged_fingerprints_do_not_make_all_done(grade, progress_path: Path) -> None:  # type: ignore[no-untyped-def]
    _forge_all_passed(progress_path)
    run = grade("--json")
    assert run.code == 1 and "All done" not in run.output, run.output
    stage = run.json()["stages"][0]
    assert stage["status"] == "failed" and stage["cached"] is False


def test_json_marks_results_that_came_from_the_cache(grade) -> None:  # type: ignore[no-untyped-def]
    assert grade("0").code == 1
    stage = grade("--json").json()["stages"][0]
    assert stage["status"] == "failed" and stage["cached"] is True


# --- 11. terminals, --no-cache, narrow screens ---------------------------------------------------
@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "cp437", "cp850", "LC_ALL=C"])
def test_a_non_utf8_terminal_gets_the_panel_not_a_traceback(grade, encoding: str) -> None:  # type: ignore[no-untyped-def]
    env = {"PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"}
    if encoding == "LC_ALL=C":  # the C locale without UTF-8 coercion: ASCII streams
        env = {"PYTHONIOENCODING": "", "LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0",
               "PYTHONUTF8": "0"}
    run = grade("0", env=env)
    assert run.code == 1 and "Traceback" not in run.output, run.output
    assert "What happened" in run.output
    hint = grade("hint", "0", env=env)
    assert hint.code == 1 and "Traceback" not in hint.output, hint.output
    assert "Hint 1/3" in hint.output


def test_no_cache_with_a_stage_number_is_not_locked(grade, progress_path: Path) -> None:  # type: ignore[no-untyped-def]
    _forge_all_passed(progress_path)  # stage 00 "passed": stage 01 is unlocked
    run = grade("1", "--no-cache", "--json")
    assert "locked" not in run.stderr, run.output
    stage = run.json()["stages"][1]
    assert stage["status"] == "failed" and stage["cached"] is False


def test_the_status_column_is_never_cut_on_a_narrow_terminal() -> None:
    console = Console(width=40, record=True)
    results = {"00_setup": StageResult("00_setup", "failed", [Outcome("t", "failed")])}
    console.print(render.progress_table(STAGES, results))
    text = console.export_text()
    assert "current" in text and text.count("locked") == len(STAGES) - 1
    assert "lock\u2026" not in text


def test_an_unwritable_progress_folder_costs_no_waiting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only checkout: the lock file cannot be created, so nothing waits for the lock."""
    real_open = os.open

    def read_only(path, flags, *args):  # type: ignore[no-untyped-def]
        if str(path).endswith(".lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only)
    monkeypatch.setattr(Progress, "LOCK_SECONDS", 3600.0)  # would hang the test if it waited
    progress = Progress(tmp_path / "p.json")
    progress.store(STAGE, "d", PASSED)
    assert progress.next_hint_level(STAGE, "first_edit", 3) == 1
    assert progress.cached(STAGE, "d") is not None  # still remembered for this run
    assert len(progress.warnings) == 1 and "Could not save progress" in progress.warnings[0]
