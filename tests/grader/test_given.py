"""Given files: stage N's folder hands out stage N-1's answer as a copy, never a paste.

Shown on the real catalogue (every copy equals its source) and on a throw-away fixture stage in
a temporary copy of the layout: a forgotten or edited given file fails the checks loudly, the
refresh puts it back, and the test loader keeps two folders' `spawn` modules apart.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import checks, given
from grader.catalogue import STAGES, find_stage
from grader.model import Stage
from grader.new_stage import create
from grader.paths import REPO_ROOT
from kit import loader

FIXTURE = "98_fixture"
SOURCE = "solutions/97_earlier/earlier.py"

needs_solutions = pytest.mark.skipif(not (REPO_ROOT / "solutions").is_dir(),
                                     reason="a student copy has no solutions/ to copy from")


def fixture_stage(root: Path) -> Stage:
    path = root / "grader" / "catalogue" / f"s{FIXTURE}.py"
    spec = importlib.util.spec_from_file_location("_given_fixture_stage", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.STAGE


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A layout with an earlier stage's answer and a new stage that is handed it."""
    shutil.copy(REPO_ROOT / "README.md", tmp_path / "README.md")
    (tmp_path / SOURCE).parent.mkdir(parents=True)
    (tmp_path / SOURCE).write_text('"""The earlier answer."""\n\n\ndef answer() -> int:\n    return 42\n',
                                   encoding="utf-8")
    create(FIXTURE, "A throw-away stage", 20, "fixture.py", tmp_path, given=(SOURCE,))
    for number in range(3):
        (tmp_path / "tests" / "alternatives" / FIXTURE / f"design_{number}").mkdir(parents=True)
    return tmp_path


@needs_solutions
def test_every_given_file_of_the_catalogue_equals_its_source() -> None:
    problems = {s.id: checks.given_problems(s) for s in STAGES if s.given}
    assert problems and not any(problems.values()), problems


@needs_solutions
def test_stage_07_hands_out_stage_06s_answer_and_the_capstone() -> None:
    stage = find_stage("07")
    assert stage is not None
    sources = {g.name: g.source for g in stage.given}
    assert sources == {"spawn.py": "solutions/06_spawn/spawn.py",
                       "capstone.py": "solutions/07_timers/capstone.py"}
    assert stage.files == ("timers.py",)
    assert "stage 06's answer" in (REPO_ROOT / "exercises" / stage.id / "timers.py").read_text("utf-8")


@needs_solutions
def test_the_refresh_command_finds_nothing_to_do() -> None:
    done = subprocess.run([sys.executable, "-m", "grader.given", "--check"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_scaffold_declares_and_copies_a_given_file(root: Path) -> None:
    stage = fixture_stage(root)
    assert stage.files == ("fixture.py",) and stage.given_files == ("earlier.py",)
    assert stage.given[0].source == SOURCE
    for top in ("exercises", "solutions"):
        assert (root / top / FIXTURE / "earlier.py").read_text("utf-8") == (root / SOURCE).read_text("utf-8")
    assert checks.given_problems(stage, root) == []
    assert checks.stage_file_problems(stage, root) == []
    assert checks.api_problems(stage, root) == []


@pytest.mark.parametrize("top", ["exercises", "solutions"])
def test_a_forgotten_given_file_is_named(root: Path, top: str) -> None:
    stage = fixture_stage(root)
    (root / top / FIXTURE / "earlier.py").unlink()
    missing = f"{top}/{FIXTURE}/earlier.py"
    assert any(missing in p and "missing" in p for p in checks.given_problems(stage, root))
    assert any(missing in p for p in checks.stage_file_problems(stage, root))
    assert any("earlier.py" in p for p in checks.api_problems(stage, root))
    assert given.refresh([stage], root) == [root / top / FIXTURE / "earlier.py"]
    assert checks.given_problems(stage, root) == []


@pytest.mark.parametrize("top", ["exercises", "solutions"])
def test_an_edited_given_file_is_named(root: Path, top: str) -> None:
    stage = fixture_stage(root)
    copy = root / top / FIXTURE / "earlier.py"
    copy.write_text(copy.read_text("utf-8").replace("42", "41"), encoding="utf-8")
    problems = checks.given_problems(stage, root)
    expected = f"{top}/{FIXTURE}/earlier.py differs from its source {SOURCE}"
    assert len(problems) == 1 and expected in problems[0], problems
    assert checks.api_problems(stage, root) == []  # the API check leaves given files to this one
    given.refresh([stage], root)
    assert checks.given_problems(stage, root) == []


def test_line_endings_do_not_count_as_an_edit(root: Path) -> None:
    stage = fixture_stage(root)
    copy = root / "exercises" / FIXTURE / "earlier.py"
    copy.write_bytes(copy.read_bytes().replace(b"\n", b"\r\n"))  # a Windows checkout
    assert checks.given_problems(stage, root) == []


def test_a_missing_source_is_named(root: Path) -> None:
    stage = fixture_stage(root)
    (root / SOURCE).unlink()
    assert any(SOURCE in p for p in checks.given_problems(stage, root))
    assert any(SOURCE in p for p in checks.stage_file_problems(stage, root))


def test_a_file_cannot_be_both_edited_and_given(root: Path) -> None:
    with pytest.raises(ValueError):
        create("96_both", "x", 1, "earlier.py", root, given=(SOURCE,))


def test_two_stages_given_files_of_the_same_name_never_collide(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Stage 07's and a stage 08's `spawn.py` differ; one pytest process loads both."""
    for stage_id, value in (("91_first", 1), ("92_second", 2)):
        folder = tmp_path / stage_id
        folder.mkdir()
        (folder / "spawn.py").write_text(f"VALUE = {value}\n", encoding="utf-8")
        (folder / "main.py").write_text("import spawn\n\nVALUE = spawn.VALUE\n", encoding="utf-8")
        (folder / "extra.py").write_text("from main import VALUE\n", encoding="utf-8")
    outside = sys.modules.get("spawn")
    monkeypatch.setattr(loader, "_target_dir", tmp_path)
    first = loader.load_stage("91_first", "main")
    second = loader.load_stage("92_second", "main")
    assert (first.VALUE, second.VALUE) == (1, 2)
    assert sys.modules.get("spawn") is outside  # nothing left behind under the bare name
    # a sibling importing `main` gets the very module the loader returned, and `spawn` by path
    # is the one `main` imported
    assert loader.load_stage("91_first", "extra").VALUE == 1
    assert loader.load_stage("91_first", "spawn") is first.spawn
    assert loader.load_stage("92_second", "spawn") is second.spawn


@needs_solutions
def test_reset_restores_an_edited_given_file_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from rich.console import Console

    import grader.pristine as pristine
    import grader.reset as reset_module
    from grader.progress import Progress
    from grader.session import Session

    monkeypatch.setattr(pristine, "SNAPSHOTS", tmp_path / "snapshots")
    monkeypatch.setattr(reset_module, "BACKUPS", tmp_path / "backups")
    monkeypatch.setattr(pristine, "_from_git", lambda path, digest: None)  # "no git here"
    stage = find_stage("07")
    assert stage is not None
    target = tmp_path / "exercises"
    shutil.copytree(REPO_ROOT / "exercises" / stage.id, target / stage.id)
    pristine.snapshot(target)  # what the first `grade` run does
    spawn = target / stage.id / "spawn.py"
    original = spawn.read_bytes()
    spawn.write_text("# edited by mistake\n", encoding="utf-8")
    session = Session("custom", target, Console(record=True, width=100), Progress(tmp_path / "p.json"),
                      True, 10.0)
    assert reset_module.reset(session, stage, argparse.Namespace(yes=True)) == 0
    assert spawn.read_bytes() == original


def test_watch_watches_given_files_and_names_the_edited_ones(tmp_path: Path) -> None:
    from rich.console import Console

    from grader.progress import Progress
    from grader.session import Session
    from grader.watch import footer, watched_files

    stage = find_stage("07")
    assert stage is not None
    session = Session("custom", tmp_path, Console(width=200), Progress(tmp_path / "p.json"), True, 10.0)
    assert [p.name for p in watched_files(session, stage)] == list(stage.all_files)
    shown = footer(session, stage, False, with_keys=False)
    assert "timers.py" in shown and "spawn.py" not in shown
