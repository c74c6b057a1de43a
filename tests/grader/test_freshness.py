"""What the README and the instructor guide show stays true to the catalogue: their stage
tables, the recorded screens (`python -m grader.screens` records them again) and the "all
done" message (grader/catalogue/workshop.py); the checks themselves are grader.checks'."""

from __future__ import annotations

import re

import pytest

from grader import checks
from grader.catalogue import STAGES, WORKSHOP
from grader.paths import REPO_ROOT

SCREENS = REPO_ROOT / checks.SCREENS
REGENERATE = "run `python -m grader.screens` to record the README's screens again"


def screen_text(name: str) -> str:
    return checks.screen_text(SCREENS / f"{name}.svg", boxes=True)


def test_the_readme_stage_table_is_the_catalogue() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d\d) \| ([^|]+) \| (\d+) min \|", readme, re.MULTILINE)
    assert [(n, t.strip(), int(m)) for n, t, m in rows] == [
        (f"{s.number:02d}", s.title, s.minutes) for s in STAGES
    ], "README.md's table of stages differs from grader/catalogue: update the table"


def test_the_all_done_screen_counts_the_stages_and_the_time() -> None:
    total = sum(s.minutes for s in STAGES)
    expected = f"{len(STAGES)} stages, about {total // 60} h {total % 60:02d} min"
    text = " ".join(screen_text("all-done").replace("│", " ").split())  # across wrapped lines
    assert expected in text, f"the all-done screen is stale: {REGENERATE}"


@pytest.mark.parametrize("name", ["first-run", "all-done"])
def test_the_progress_screens_list_every_stage(name: str) -> None:
    text = screen_text(name)
    missing = [s.id for s in STAGES if f"{s.number:02d} │ {s.title.split(':')[0]}" not in text]
    assert not missing, f"the {name} screen does not show stages {missing}: {REGENERATE}"


def test_the_instructor_guide_table_and_total_are_the_catalogue() -> None:
    rows = checks.table_rows(REPO_ROOT / checks.GUIDE)
    assert rows == [(f"{s.number:02d}", s.title, s.minutes) for s in STAGES], \
        f"{checks.GUIDE}'s table of stages differs from grader/catalogue: update the table"
    assert f"About {checks.total_time(STAGES)} of exercises" in (REPO_ROOT / checks.GUIDE).read_text("utf-8")


def test_the_all_done_screen_shows_the_catalogues_message() -> None:
    message = " ".join(WORKSHOP.all_done_text(STAGES).split())
    shown = checks.screen_text(SCREENS / "all-done.svg")
    assert message in shown, f"the all-done screen is stale: {REGENERATE}"
