"""`grade watch` re-runs on save and never advances alone; `grade reset` restores a stub."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

import grader.pristine as pristine
import grader.reset as reset_module
from conftest import make_target
from grader.catalogue import find_stage
from grader.progress import Progress
from grader.session import Session, UsageError
from grader.watch import fingerprint, watch
from tests_support import GOOD_SETUP

SETUP = find_stage("00_setup")
assert SETUP is not None
BROKEN = GOOD_SETUP.replace('return "Hello, Future!"', 'return "Goodbye"')


class ScriptedKeys:
    """Stands in for the keyboard: each read runs the next step (an edit) or returns a key."""

    def __init__(self, steps: list[Callable[[], str | None] | str | None]) -> None:
        self.steps = steps

    def read(self, timeout: float) -> str | None:
        if not self.steps:
            return "q"
        step = self.steps.pop(0)
        return step() if callable(step) else step


def session_for(target: Path, tmp_path: Path) -> tuple[Session, Console]:
    console = Console(record=True, width=100, force_terminal=False)
    session = Session("custom", target, console, Progress(tmp_path / "p.json"), True, 10.0)
    return session, console


def test_watch_reruns_after_a_save_and_waits_for_n(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": BROKEN})
    session, console = session_for(target, tmp_path)

    def save_fix() -> None:
        (target / "00_setup" / "setup.py").write_text(GOOD_SETUP, encoding="utf-8")

    keys = ScriptedKeys([save_fix, None, None, None, None, None, "q"])
    assert watch(session, SETUP, argparse.Namespace(), keys) == 0
    text = console.export_text()
    assert text.index("greeting() returned 'Goodbye'") < text.index("passes!")
    assert "[n] next stage" in text  # offered, not taken: it stays on stage 00
    assert text.count("passes!") == 1


def test_watch_shows_hint_and_list_on_keys(tmp_path: Path) -> None:
    target = make_target(tmp_path, "00_setup", {"setup.py": BROKEN})
    session, console = session_for(target, tmp_path)
    assert watch(session, SETUP, argparse.Namespace(), ScriptedKeys(["h", "l", "q"])) == 0
    text = console.export_text()
    assert "No failure of stage 00 is on record" in text or "Hint 1/3" in text
    assert "Rediscovering the Future" in text  # the list's table


def test_fingerprint_sees_content_not_reads(tmp_path: Path) -> None:
    path = tmp_path / "f.py"
    path.write_text("a", encoding="utf-8")
    before = fingerprint([path])
    path.read_text(encoding="utf-8")
    assert fingerprint([path]) == before
    path.write_text("b", encoding="utf-8")
    assert fingerprint([path]) != before
    path.unlink()
    assert fingerprint([path]) == (None,)


@pytest.fixture
def isolated_pristine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(pristine, "SNAPSHOTS", tmp_path / "snapshots")
    monkeypatch.setattr(reset_module, "BACKUPS", tmp_path / "backups")
    monkeypatch.setattr(pristine, "_from_git", lambda path, digest: None)  # "no git here"
    return tmp_path


def exercises_copy(tmp_path: Path) -> Path:
    from grader.paths import REPO_ROOT

    stub = (REPO_ROOT / "exercises" / "00_setup" / "setup.py").read_text(encoding="utf-8")
    return make_target(tmp_path, "00_setup", {"setup.py": stub})


def test_reset_restores_the_stub_and_keeps_a_backup(isolated_pristine: Path) -> None:
    target = exercises_copy(isolated_pristine)
    pristine.snapshot(target)  # what the first `grade` run does
    stub = (target / "00_setup" / "setup.py").read_bytes()
    (target / "00_setup" / "setup.py").write_text("my work", encoding="utf-8")
    session, _ = session_for(target, isolated_pristine)
    assert reset_module.reset(session, SETUP, argparse.Namespace(yes=True)) == 0
    assert (target / "00_setup" / "setup.py").read_bytes() == stub
    backups = list((isolated_pristine / "backups" / "00_setup").iterdir())
    assert [b.read_text(encoding="utf-8") for b in backups] == ["my work"]


def test_reset_of_a_deleted_file_brings_it_back(isolated_pristine: Path) -> None:
    target = exercises_copy(isolated_pristine)
    pristine.snapshot(target)
    (target / "00_setup" / "setup.py").unlink()
    session, _ = session_for(target, isolated_pristine)
    assert reset_module.reset(session, SETUP, argparse.Namespace(yes=True)) == 0
    assert (target / "00_setup" / "setup.py").exists()


def test_reset_asks_first_and_refuses_without_a_terminal(isolated_pristine: Path) -> None:
    target = exercises_copy(isolated_pristine)
    pristine.snapshot(target)
    (target / "00_setup" / "setup.py").write_text("my work", encoding="utf-8")
    session, _ = session_for(target, isolated_pristine)
    with pytest.raises(UsageError, match="--yes"):
        reset_module.reset(session, SETUP, argparse.Namespace(yes=False))
    assert (target / "00_setup" / "setup.py").read_text(encoding="utf-8") == "my work"


def test_edited_before_first_run_and_no_git_says_what_to_do(isolated_pristine: Path) -> None:
    target = make_target(isolated_pristine, "00_setup", {"setup.py": "edited before grade ran"})
    pristine.snapshot(target)  # not pristine: no snapshot taken
    session, console = session_for(target, isolated_pristine)
    assert reset_module.reset(session, SETUP, argparse.Namespace(yes=True)) == 1
    assert "fresh download" in console.export_text()


def test_the_manifest_matches_the_stubs() -> None:
    assert pristine.manifest() == pristine.current_hashes(), (
        "a stub changed: run `python -m grader.pristine` to update grader/pristine.json")


def test_reset_needs_a_stage(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("reset")
    assert run.code == 2 and "which stage" in run.output
