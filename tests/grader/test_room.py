"""`grade room`: a live view of the room, fed by the attendees' runs.

The server runs on 127.0.0.1 with a port the OS chooses; attendees are simulated from real
grading runs (solutions, mutants, stubs); all traffic stays on loopback and every loop is
bounded. The browser test uses a headless Chromium where one is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from grader import room
from grader.catalogue import STAGES, find_stage
from grader.mutants import apply, load_catalogue
from grader.paths import REPO_ROOT
from grader.runner import run_stage

needs_solutions = pytest.mark.skipif(not (REPO_ROOT / "solutions").is_dir(),
                                     reason="a student copy: no solutions to simulate attendees with")


@pytest.fixture
def server() -> Iterator[room.RoomServer]:
    running = room.start_server("127.0.0.1", 0, code="ROOM42")
    yield running
    running.shutdown()
    running.server_close()


def url(server: room.RoomServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def membership(server: room.RoomServer, name: str, code: str = "ROOM42") -> dict[str, str]:
    return {"url": url(server), "code": code, "name": name, "attendee": f"id-{name}-0123456789"}


def state(server: room.RoomServer) -> dict[str, Any]:
    with urllib.request.urlopen(url(server) + "/api/state", timeout=10) as response:
        return json.loads(response.read())


def report(results: dict[str, str]) -> dict[str, Any]:
    """A `grade --json`-shaped report: stage id -> status, failing tests with a hint."""
    stages = []
    for stage in STAGES:
        status = results.get(stage.id, "locked")
        tests = [{"name": "test_x", "status": "failed", "hint": "first_hint", "message": "secret code line",
                  "location": {"code": "x = 1"}}] if status == "failed" else []
        stages.append({"id": stage.id, "status": status, "tests": tests})
    return room.report_of({"version": 1, "target": "exercises", "stages": stages})


def graded_report(target: Path, upto: int) -> dict[str, Any]:
    """Grade stages 00..upto of `target` for real, locking the rest after the first failure."""
    stages, failed = [], False
    for stage in STAGES:
        if failed or stage.number > upto:
            stages.append({"id": stage.id, "status": "locked" if failed else "not_run", "tests": []})
            continue
        result = run_stage(stage, str(target), first_failure=True)
        tests = [{"name": t.name, "status": t.status, "hint": t.hint, "message": t.message}
                 for t in result.tests]
        stages.append({"id": stage.id, "status": result.status, "tests": tests})
        failed = result.status == "failed"
    return room.report_of({"version": 1, "target": "exercises", "stages": stages})


@needs_solutions
def test_three_attendees_grading_real_stages_show_up(server: room.RoomServer, tmp_path: Path) -> None:
    mutant = next(m for m in load_catalogue() if m.stage == "01_future")
    with_mistake = apply(mutant, tmp_path / "ada")
    shutil.copytree(REPO_ROOT / "solutions" / "00_setup", with_mistake / "00_setup")
    reports = {
        "Ada": graded_report(with_mistake, 1),  # 00 passes, 01 fails with the mutant's hint
        "Bo": graded_report(REPO_ROOT / "exercises", 0),  # the untouched stub: 00 fails
        "Cy": graded_report(REPO_ROOT / "solutions", 2),  # 00-02 pass
    }
    for name, data in reports.items():
        assert room.send(membership(server, name), data) is None
    seen = state(server)
    where = {p["name"]: p for p in seen["attendees"]}
    assert where["Ada"]["stage"] == "01_future" and where["Ada"]["first_hint"] == mutant.hint
    assert where["Bo"]["stage"] == "00_setup" and where["Bo"]["status"] == "failed"
    assert where["Cy"]["stage"] == "03_channel" and where["Cy"]["status"] == "not_run"
    assert where["Ada"]["planned_minutes"] == find_stage("01_future").minutes  # type: ignore[union-attr]
    counts = {s["id"]: s["attendees"] for s in seen["distribution"]}
    assert counts["00_setup"] == 1 and counts["01_future"] == 1 and counts["03_channel"] == 1
    hints = {(s["id"], h["hint"]) for s in seen["stages"] for h in s["hints"]}
    assert ("01_future", mutant.hint) in hints
    assert "secret" not in json.dumps(seen) and "message" not in json.dumps(reports)  # no code, no output


def test_time_on_the_same_failure_restarts_only_when_it_changes(server: room.RoomServer) -> None:
    state_ = server.state
    member = membership(server, "Di")
    stuck = report({"00_setup": "passed", "01_future": "failed"})
    state_.post(member["attendee"], "Di", stuck, now=1000.0)
    state_.post(member["attendee"], "Di", stuck, now=1000.0 + 25 * 60)
    person = state_.snapshot(now=1000.0 + 25 * 60)["attendees"][0]
    assert person["minutes_on_failure"] == 25.0 and person["minutes_on_stage"] == 25.0
    state_.post(member["attendee"], "Di", report({"00_setup": "passed", "01_future": "passed",
                                                  "02_state_machine": "failed"}), now=1000.0 + 30 * 60)
    person = state_.snapshot(now=1000.0 + 31 * 60)["attendees"][0]
    assert person["stage"] == "02_state_machine" and person["minutes_on_failure"] == 1.0


def post_raw(server: room.RoomServer, body: bytes) -> int:
    request = urllib.request.Request(url(server) + "/api/report", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_bad_posts_are_refused_and_the_server_keeps_running(server: room.RoomServer) -> None:
    good = {"code": "ROOM42", "name": "Eve", "attendee": "attendee-0001", "report": report({})}
    assert post_raw(server, json.dumps({**good, "code": "WRONG1"}).encode()) == 403
    assert post_raw(server, b"{not json") == 400
    assert post_raw(server, json.dumps({**good, "report": {"version": 1, "stages": "x"}}).encode()) == 400
    assert post_raw(server, json.dumps({**good, "name": "\x1b[31m"}).encode()) == 400
    assert post_raw(server, b" " * (room.MAX_BODY + 1)) == 413
    assert post_raw(server, json.dumps(good).encode()) == 200
    assert [p["name"] for p in state(server)["attendees"]] == ["Eve"]


def test_200_reports_from_50_attendees(server: room.RoomServer) -> None:
    def attendee(number: int) -> list[str | None]:
        member = membership(server, f"attendee{number:02d}")
        progress = [report({"00_setup": "failed"}), report({"00_setup": "passed", "01_future": "failed"}),
                    report({"00_setup": "passed", "01_future": "passed", "02_state_machine": "failed"}),
                    report({s.id: "passed" for s in STAGES[: 3 + number % 3]}
                           | {STAGES[3 + number % 3].id: "failed"})]
        return [room.send(member, data, timeout=10) for data in progress]

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = [why for answers in pool.map(attendee, range(50)) for why in answers]
    assert outcomes == [None] * 200
    seen = state(server)
    assert len(seen["attendees"]) == 50 and seen["posts"] == 200
    counts = {s["id"]: s["attendees"] for s in seen["distribution"]}
    assert counts["03_channel"] == 17 and counts["04_mutex"] == 17 and counts["05_pollster"] == 16


def test_an_unreachable_room_costs_little_and_the_report_waits(tmp_path: Path) -> None:
    free = room.start_server("127.0.0.1", 0, code="ROOM42")
    address = url(free)
    free.shutdown()
    free.server_close()  # nobody listens there any more
    progress = tmp_path / "progress.json"
    room.save_membership(room.membership_file(progress), {"url": address, "code": "ROOM42", "name": "Fay",
                                                          "attendee": "attendee-fay-01"})
    json_report = {"target": "exercises", "stages": [{"id": s.id, "status": "locked", "tests": []}
                                                     for s in STAGES]}
    sending = room.report_in_background(progress, json_report)
    assert sending is not None
    sending.join(30)  # bounded by the post's own timeout
    kept = room.load_membership(room.membership_file(progress))
    assert kept is not None and "pending" in kept and kept["last"]["ok"] is False


def test_join_then_grade_reports_the_run(server: room.RoomServer, tmp_path: Path) -> None:
    env = {**os.environ, "GRADE_PROGRESS": str(tmp_path / "progress.json"), "COLUMNS": "100"}
    joined = subprocess.run([sys.executable, "-m", "grader.cli", "room", "join", url(server), "room42",
                             "--name", "Gil"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert joined.returncode == 0, joined.stdout + joined.stderr
    graded = subprocess.run([sys.executable, "-m", "grader.cli", "0"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert graded.returncode in (0, 1), graded.stdout + graded.stderr
    person = next(p for p in state(server)["attendees"] if p["name"] == "Gil")
    assert person["stage"] == "00_setup"
    wrong = subprocess.run([sys.executable, "-m", "grader.cli", "room", "join", url(server), "NOPE99"],
                           cwd=REPO_ROOT, env={**env, "GRADE_PROGRESS": str(tmp_path / "other.json")},
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert wrong.returncode == 1 and "wrong room code" in wrong.stdout + wrong.stderr


def find_browser() -> str | None:
    names = ("chromium", "chromium-browser", "google-chrome")
    return next((found for name in names if (found := shutil.which(name))), None)


def test_the_page_updates_without_a_reload(server: room.RoomServer) -> None:
    browser = find_browser()
    if browser is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium): the browser check is skipped")
    room.send(membership(server, "Early"), report({"00_setup": "failed"}))

    def late_comer() -> None:
        deadline = time.monotonic() + 60  # a bound, not a timing assertion
        while server.state.reads < 1 and time.monotonic() < deadline:
            time.sleep(0.02)  # waiting for an observable state: the page's first refresh
        room.send(membership(server, "Late Comer"), report({"00_setup": "passed", "01_future": "failed"}))

    poster = threading.Thread(target=late_comer)
    poster.start()
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=20000",
             "--dump-dom", url(server) + "/?fast"],
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    poster.join(60)
    if done.returncode != 0 or "<html" not in done.stdout:
        pytest.skip(f"{browser} could not run here (exit {done.returncode}): {done.stderr[-300:]}")
    root_tag = done.stdout[done.stdout.index("<html"):].split(">", 1)[0]
    assert "Late Comer" in root_tag and "Early" in root_tag, root_tag  # arrived without a reload
    updates = int(root_tag.split('data-updates="', 1)[1].split('"', 1)[0])
    assert updates >= 2
