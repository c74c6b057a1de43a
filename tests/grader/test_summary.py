"""`grade summary`: where the room is, from a folder of attendees' `grade --json` files."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.catalogue import STAGES, find_stage
from grader.paths import REPO_ROOT
from grader.summary import build_summary, parse_result


@pytest.fixture(scope="module")
def stub_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real `grade --json` of the untouched stubs: stage 00 failed, the rest locked."""
    env = {**os.environ, "GRADE_PROGRESS": str(tmp_path_factory.mktemp("p") / "progress.json")}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "--json"], cwd=REPO_ROOT,
                          capture_output=True, text=True, env=env, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)


def on_stage_01(report: dict[str, Any], hints: list[str]) -> dict[str, Any]:
    """The same shape, as if stage 00 passed and stage 01 failed with `hints`."""
    report = copy.deepcopy(report)
    setup, future = report["stages"][0], report["stages"][1]
    setup["status"] = "passed"
    for test in setup["tests"]:
        test.update(status="passed", hint=None, message="")
    future["status"] = "failed"
    future["tests"] = [{"name": "test_ready_future_is_ready", "status": "passed", "hint": None,
                        "message": "", "location": None}]
    future["tests"] += [{"name": f"test_{i}_{hint}", "status": "failed", "hint": hint,
                         "message": "what happened", "location": None} for i, hint in enumerate(hints)]
    return report


def all_passed(report: dict[str, Any]) -> dict[str, Any]:
    report = copy.deepcopy(report)
    for stage in report["stages"]:
        stage["status"] = "passed"
        stage["tests"] = [{"name": "test_x", "status": "passed", "hint": None, "message": "",
                           "location": None}]
    return report


@pytest.fixture
def room(tmp_path: Path, stub_report: dict[str, Any]) -> Path:
    folder = tmp_path / "room"
    folder.mkdir()
    samples = {
        "ada": stub_report,
        "bob": on_stage_01(stub_report, ["lost_waker", "lost_waker", "stale_waker"]),
        "cy": on_stage_01(stub_report, ["lost_waker"]),
        "dee": all_passed(stub_report),
    }
    for name, report in samples.items():
        (folder / f"{name}.json").write_text(json.dumps(report), encoding="utf-8")
    (folder / "corrupt.json").write_text(json.dumps(stub_report)[:200], encoding="utf-8")
    (folder / "other.json").write_text('{"hello": "world"}', encoding="utf-8")
    (folder / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    (folder / "notes.txt").write_text("not a result", encoding="utf-8")
    return folder


def test_the_table_shows_who_is_where_and_what_fails(grade, room: Path) -> None:  # type: ignore[no-untyped-def]
    run = grade("summary", "--results", str(room), env={"COLUMNS": "200"})
    assert run.code == 0, run.output
    assert "Traceback" not in run.output
    lines = run.output.splitlines()
    row = {name: next(x for x in lines if f" {name} " in x) for name in ("ada", "bob", "cy", "dee")}
    setup, future = find_stage("00_setup"), find_stage("01_future")
    assert setup is not None and future is not None
    assert f"00 {setup.title}" in row["ada"] and "not_started" in row["ada"]
    assert f"01 {future.title}" in row["bob"] and "lost_waker" in row["bob"]
    assert "done" in row["dee"]
    hint = future.hint("lost_waker")
    assert hint is not None
    lost = next(x for x in lines if " lost_waker " in x and hint.title[:20] in x)
    assert "2" in lost.split("lost_waker")[0]  # bob and cy
    assert hint.slide in run.output
    for bad in ("corrupt.json", "other.json", "binary.json"):
        assert f"Skipped {bad}" in run.output
    assert "notes.txt" not in run.output


def test_json_gives_the_same_on_stdout(grade, room: Path) -> None:  # type: ignore[no-untyped-def]
    run = grade("summary", "--results", str(room), "--json")
    assert run.code == 0, run.output
    data = run.json()
    where = {a["name"]: (a["stage"], a["status"], a["first_hint"]) for a in data["attendees"]}
    assert where == {
        "ada": ("00_setup", "failed", "not_started"),
        "bob": ("01_future", "failed", "lost_waker"),
        "cy": ("01_future", "failed", "lost_waker"),
        "dee": (None, "done", None),
    }
    assert data["done"] == 1
    stage = next(s for s in data["stages"] if s["id"] == "01_future")
    assert stage["attendees"] == 2
    first = stage["hints"][0]
    assert (first["hint"], first["count"], first["attendees"]) == ("lost_waker", 2, ["bob", "cy"])
    assert first["slide"] and first["deck"] == "slides/01_future.md" and first["title"]
    assert [(h["hint"], h["count"]) for h in stage["hints"]] == [("lost_waker", 2), ("stale_waker", 1)]
    assert sorted(s["file"] for s in data["skipped"]) == ["binary.json", "corrupt.json", "other.json"]
    assert all(s["reason"] for s in data["skipped"])


def test_bad_folders_are_usage_errors_without_traceback(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = grade("summary")
    assert missing.code == 2 and "--results" in missing.output
    nowhere = grade("summary", "--results", str(tmp_path / "nope"))
    assert nowhere.code == 2 and "no such folder" in " ".join(nowhere.output.split())  # wrapped
    empty = grade("summary", "--results", str(tmp_path))
    assert empty.code == 1 and "no *.json files" in empty.output
    (tmp_path / "x.json").write_text("", encoding="utf-8")
    only_bad = grade("summary", "--results", str(tmp_path))
    assert only_bad.code == 1 and "Skipped x.json: the file is empty" in only_bad.output
    for run in (missing, nowhere, empty, only_bad):
        assert "Traceback" not in run.output


@pytest.mark.parametrize("data", [
    None, [], {"stages": "no"}, {"stages": []}, {"stages": [{"id": 3}]},
    {"stages": [{"id": "00_setup", "status": "weird"}]},
    {"stages": [{"id": "00_setup", "status": "failed", "tests": [{"status": "failed", "hint": 3}]}]},
    {"target": "solutions", "stages": [{"id": "00_setup", "status": "passed"}]},
    {"version": 2, "stages": [{"id": "00_setup", "status": "passed"}]},  # a layout it does not know
])
def test_parse_result_rejects_what_is_not_a_result(data: Any) -> None:
    from grader.summary import BadResult

    with pytest.raises(BadResult):
        parse_result("x", data)


def test_a_partial_run_that_failed_nowhere_is_not_done() -> None:
    data = {"stages": [{"id": s.id, "status": "not_run", "tests": []} for s in STAGES]}
    data["stages"][0]["status"] = "passed"
    attendee = parse_result("eve", data)
    assert (attendee.stage, attendee.status) == (STAGES[1].id, "not_run")
    summary = build_summary([attendee], [])
    assert summary["attendees"][0]["status"] == "not_run" and summary["done"] == 0
