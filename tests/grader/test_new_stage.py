"""A new stage: `python -m grader.new_stage` writes its six files, and the checks name every
file forgotten (shown on a throw-away stage in a temporary copy of the layout)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from grader import checks
from grader.catalogue import STAGES
from grader.model import Stage
from grader.new_stage import create
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
