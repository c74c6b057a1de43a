"""Fixtures for the grader's own tests: throwaway targets and an isolated progress file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.paths import REPO_ROOT


@dataclass
class GradeRun:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.stdout)


@pytest.fixture
def progress_path(tmp_path: Path) -> Path:
    return tmp_path / "progress" / "progress.json"


@pytest.fixture
def grade(progress_path: Path):  # type: ignore[no-untyped-def]
    """Run the real `grade` command in a child process, as an attendee would."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO_ROOT,
            timeout: float = 120) -> GradeRun:
        environment = {**os.environ, "GRADE_PROGRESS": str(progress_path), "COLUMNS": "100",
                       **(env or {})}
        done = subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd,
                              capture_output=True, encoding="utf-8", errors="replace",
                              env=environment, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        return GradeRun(done.returncode, done.stdout, done.stderr)

    return run


def make_target(root: Path, stage_id: str, files: dict[str, str]) -> Path:
    """A folder laid out like `exercises/`, holding only `files` for one stage."""
    folder = root / "target" / stage_id
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return root / "target"


FORKSERVER_HERE = sys.platform.startswith("linux")


@pytest.fixture(params=["own child", "fork server"])
def child_start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each way a grading child can start: by the grader itself (every OS), or forked from a
    warm fork server (grader.forkserver, Linux). A test that takes it runs once per way."""
    from grader.forkserver import serving
    from grader.runner import child_env

    if request.param == "fork server":
        if not FORKSERVER_HERE:
            pytest.skip("the fork server runs on Linux only")
        monkeypatch.setenv("GRADE_FORKSERVER", "1")
        assert serving(child_env()), "no fork server registered within 30 s"
    else:
        monkeypatch.setenv("GRADE_FORKSERVER", "0")
    return str(request.param)
