"""A new stage: `python -m grader.new_stage` writes its six files, and the checks name every
file forgotten, its own and the documents it leaves stale (README and instructor guide tables,
the recorded screens, the "all done" message), shown on a throw-away stage in a temporary copy
of the layout."""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from rich.panel import Panel

from grader import checks, render
from grader.catalogue import STAGES, WORKSHOP
from grader.model import Stage, Workshop
from grader.new_stage import TOUCHES, create, skeletons
from grader.paths import REPO_ROOT

FIXTURE = "98_fixture"


def load_stage_module(root: Path) -> Stage:
    path = root / "grader" / "catalogue" / f"s{FIXTURE}.py"
    spec = importlib.util.spec_from_file_location("_fixture_stage", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STAGE


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copy(REPO_ROOT / "README.md", tmp_path / "README.md")
    return tmp_path


def test_every_real_stage_has_all_its_files() -> None:
    problems = {s.id: checks.stage_file_problems(s) for s in STAGES}
    assert not any(problems.values()), problems


def test_the_scaffold_writes_a_stage_the_checks_accept_but_for_its_alternatives(root: Path) -> None:
    written = create(FIXTURE, "A throw-away stage", 20, "fixture.py", root)
    assert len(written) == 6
    stage = load_stage_module(root)
    assert stage.id == FIXTURE and stage.files == ("fixture.py",)
    assert checks.api_problems(stage, root) == []
    assert checks.hint_coverage_problems(stage, root) == []
    assert checks.hint_slide_problems(stage, root) == []
    problems = checks.stage_file_problems(stage, root)
    assert len(problems) == 1 and "0 correct alternative(s)" in problems[0], problems
    with pytest.raises(FileExistsError):
        create(FIXTURE, "again", 20, "fixture.py", root)


@pytest.mark.parametrize("forgotten", [
    "exercises/98_fixture/fixture.py", "solutions/98_fixture/fixture.py",
    "tests/stages/test_98_fixture.py", "slides/98_fixture.md", "tests/mutants/m98_fixture.py",
])
def test_each_forgotten_file_is_named(root: Path, forgotten: str) -> None:
    create(FIXTURE, "A throw-away stage", 20, "fixture.py", root)
    stage = load_stage_module(root)
    for number in range(3):
        (root / "tests" / "alternatives" / FIXTURE / f"design_{number}").mkdir()
    assert checks.stage_file_problems(stage, root) == []
    (root / forgotten).unlink()
    problems = checks.stage_file_problems(stage, root)
    assert len(problems) == 1 and forgotten in problems[0], problems


def test_a_stage_missing_from_the_readme_table_is_named(root: Path) -> None:
    create(FIXTURE, "A throw-away stage", 20, "fixture.py", root)
    stage = load_stage_module(root)
    readme = root / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| 98 |", "| 97 |"), encoding="utf-8")
    assert any("README.md's table" in p for p in checks.stage_file_problems(stage, root))


def test_a_bad_stage_id_is_refused(root: Path) -> None:
    with pytest.raises(ValueError):
        create("8_reactor", "x", 1, "x.py", root)


# --- what a new stage leaves stale beyond its own files --------------------------------------
# A full copy of the documents (README, instructor guide, recorded screens), a throw-away stage
# added at the end by the scaffold, and every refresh done: clean. Then each refresh forgotten
# in turn: the checks fail, naming the file and the fix.

RECORDED = dataclasses.replace(WORKSHOP, all_done_written_for=FIXTURE)  # the message rewritten


def record_screens(root: Path, stages: tuple[Stage, ...], workshop: Workshop) -> None:
    """What `python -m grader.screens` would record for these stages (the table, the message)."""
    for name in checks.PROGRESS_SCREENS:
        console = Console(record=True, width=100, file=io.StringIO())
        console.print(render.progress_table(stages, {}))
        console.print(Panel(workshop.all_done_text(stages), title="All done"))
        console.save_svg(str(root / checks.SCREENS / f"{name}.svg"))


@pytest.fixture
def full_root(root: Path) -> Path:
    (root / "slides").mkdir()
    shutil.copy(REPO_ROOT / checks.GUIDE, root / checks.GUIDE)
    shutil.copytree(REPO_ROOT / checks.SCREENS, root / checks.SCREENS)
    return root


def complete_stage(root: Path) -> tuple[Stage, tuple[Stage, ...]]:
    create(FIXTURE, "A throw-away stage", 20, "fixture.py", root)
    stage = load_stage_module(root)
    for number in range(3):
        (root / "tests" / "alternatives" / FIXTURE / f"design_{number}").mkdir()
    stages = (*STAGES, stage)
    record_screens(root, stages, RECORDED)
    return stage, stages


def test_a_new_last_stage_with_every_refresh_done_is_clean(full_root: Path) -> None:
    stage, stages = complete_stage(full_root)
    guide = (full_root / checks.GUIDE).read_text(encoding="utf-8")
    total = checks.total_time(stages)  # the catalogue's total, the new stage included
    assert checks.stage_row(stage) in guide and f"About {total} of exercises" in guide  # the scaffold
    assert checks.stage_file_problems(stage, full_root, stages, RECORDED) == []
    assert checks.workshop_problems(stages, full_root, RECORDED) == []


def _forget_readme_row(root: Path, stage: Stage) -> None:
    readme = root / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace(checks.stage_row(stage), "| 97 |"),
                      encoding="utf-8")


def _forget_guide_row(root: Path, stage: Stage) -> None:
    guide = root / checks.GUIDE
    guide.write_text(guide.read_text(encoding="utf-8").replace(checks.stage_row(stage) + " ", ""),
                     encoding="utf-8")


def _forget_guide_total(root: Path, stage: Stage) -> None:
    guide = root / checks.GUIDE
    now, before = checks.total_time((*STAGES, stage)), checks.total_time(STAGES)
    guide.write_text(guide.read_text(encoding="utf-8").replace(f"About {now}", f"About {before}"),
                     encoding="utf-8")


def _forget_screens(root: Path, stage: Stage) -> None:
    shutil.rmtree(root / checks.SCREENS)
    shutil.copytree(REPO_ROOT / checks.SCREENS, root / checks.SCREENS)  # as recorded before


@pytest.mark.parametrize(("forget", "named"), [
    (_forget_readme_row, "README.md"),
    (_forget_guide_row, checks.GUIDE),
    (_forget_guide_total, checks.GUIDE),
    (_forget_screens, f"{checks.SCREENS}/"),
])
def test_each_forgotten_refresh_is_named(full_root: Path, forget, named: str) -> None:  # type: ignore[no-untyped-def]
    stage, stages = complete_stage(full_root)
    forget(full_root, stage)
    problems = checks.stage_file_problems(stage, full_root, stages, RECORDED)
    assert problems and all(named in p for p in problems), problems


def test_an_all_done_message_written_for_another_last_stage_is_named(full_root: Path) -> None:
    stage, stages = complete_stage(full_root)
    problems = checks.workshop_problems(stages, full_root, WORKSHOP)  # not rewritten: still 07's
    assert len(problems) == 1, problems
    assert "grader/catalogue/workshop.py" in problems[0] and FIXTURE in problems[0], problems
    assert any("workshop.py" in p for p in checks.stage_file_problems(stage, full_root, stages))


@pytest.mark.parametrize(("change", "named"), [
    ({"all_done": "You built 8 stages in 5 hours."}, "spells a number"),
    ({"all_done": "You built {stage_count} stages."}, "does not format"),
    ({"capstone": "99_nowhere"}, "capstone"),
    ({"capstone_file": "nowhere.py"}, "capstone's runtime"),
])
def test_a_workshop_entry_that_drifts_from_the_stages_is_named(change: dict[str, str], named: str) -> None:
    problems = checks.workshop_problems(STAGES, REPO_ROOT, dataclasses.replace(WORKSHOP, **change))
    assert any(named in p for p in problems), problems


def test_the_real_workshop_agrees_with_its_stages() -> None:
    assert checks.workshop_problems() == []


def test_contributing_lists_every_file_a_new_stage_touches() -> None:
    recipe = (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    missing = [path for path in TOUCHES if path not in recipe]
    assert not missing, f"CONTRIBUTING.md's recipe does not name {missing}"
    assert "listed in `grader/catalogue/__init__.py`" not in recipe  # they are discovered


def test_touches_covers_what_the_scaffold_writes() -> None:
    written = [path.replace(FIXTURE, "NN_name") for path in skeletons(FIXTURE, "t", 1, "f.py")]
    assert all(any(path.startswith(t) for t in TOUCHES) for path in written), written
