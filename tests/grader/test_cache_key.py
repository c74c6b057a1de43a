"""The cache key covers every input of a verdict: a `git pull` or a `pip install -U` that changes
any of them can never leave a stale cached verdict (grader.progress.stage_digest).

Each test stores a passing verdict in an isolated progress file for a copy of the repository's
grader side (so nothing real is edited), changes one input the way a pull would, and checks that
the verdict is no longer found: `grade` runs the stage again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

import grader.progress as progress
from conftest import make_target
from grader.catalogue import STAGES
from grader.paths import REPO_ROOT
from grader.progress import GRADER_SIDE, Progress, grader_side_files, stage_digest
from grader.results import StageResult
from grader.results import TestResult as OneTest
from grader.session import Session
from tests_support import GOOD_SETUP

SETUP = STAGES[0]


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of everything grader-side, standing in for the repository."""
    copy = tmp_path / "repo"
    for name in GRADER_SIDE:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    (copy / SETUP.test_file).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO_ROOT / SETUP.test_file, copy / SETUP.test_file)
    monkeypatch.setattr(progress, "REPO_ROOT", copy)
    return copy


def cached_session(tmp_path: Path) -> Session:
    """A session whose progress file holds a pass of stage 00 for the target as it is now."""
    target = make_target(tmp_path, SETUP.id, {"setup.py": GOOD_SETUP})
    store = Progress(tmp_path / "progress.json")
    store.store(SETUP, stage_digest(SETUP, target),
                StageResult(SETUP.id, "passed", [OneTest("test_greeting", "passed")]))
    session = Session("exercises", target, Console(quiet=True), Progress(tmp_path / "progress.json"),
                      use_cache=True, test_timeout=10.0)
    cached = session.verdict(SETUP, run=False)
    assert cached is not None and cached.cached and cached.status == "passed"
    return session


def still_cached(session: Session) -> bool:
    return session.verdict(SETUP, run=False) is not None


def pulled(path: Path, text: str) -> None:
    """What `git pull` does to a file: new content (written anew, as git checks files out)."""
    path.unlink()
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("changed", [
    "grader/runner.py",                 # how the child's report is read (runner.interpret)
    "grader/child_plugin.py",
    "grader/catalogue/s00_setup.py",    # the catalogue: a stage's files, its hints
    "stdtask/poll.py",                  # the given runtime core
    "tests/kit/__init__.py",
    "tests/conftest.py",
    "pyproject.toml",                   # the pytest settings
    SETUP.test_file,                    # the hidden tests
])
def test_a_pulled_change_to_any_input_drops_the_cached_verdict(
        root: Path, tmp_path: Path, changed: str) -> None:
    session = cached_session(tmp_path)
    path = root / changed
    pulled(path, path.read_text(encoding="utf-8") + "\n# a fix from upstream\n")
    assert not still_cached(session), f"a change to {changed} left the cached verdict in place"


def test_an_edit_in_place_of_the_same_size_is_seen(root: Path, tmp_path: Path) -> None:
    """Same inode, same size, even the old modification time put back: still a new key."""
    session = cached_session(tmp_path)
    runner = root / "grader" / "runner.py"
    before = runner.stat()
    text = runner.read_text(encoding="utf-8")
    index = text.index("def interpret(")
    with runner.open("r+", encoding="utf-8") as file:  # one character, same size, same inode
        file.seek(len(text[:index].encode("utf-8")))
        file.write("def interpreT(")
    os.utime(runner, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert runner.stat().st_ino == before.st_ino and runner.stat().st_size == before.st_size
    assert not still_cached(session)


@pytest.mark.parametrize("added", ["grader/new_module.py", "tests/kit/new_helper.py",
                                   "tests/stages/conftest.py"])
def test_a_pulled_new_file_drops_the_cached_verdict(root: Path, tmp_path: Path, added: str) -> None:
    session = cached_session(tmp_path)
    (root / added).write_text("X = 1\n", encoding="utf-8")
    assert not still_cached(session), f"a new {added} left the cached verdict in place"


def test_every_file_of_the_stage_folder_counts(tmp_path: Path) -> None:
    session = cached_session(tmp_path)
    (session.target_dir / SETUP.id / "given_helper.py").write_text("X = 1\n", encoding="utf-8")
    assert not still_cached(session)


@pytest.mark.parametrize("package", ["pytest", "hypothesis", "pytest-timeout"])
def test_a_new_version_of_a_test_dependency_drops_the_cached_verdict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    import importlib.metadata

    session = cached_session(tmp_path)
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "999.0" if name == package else real(name))
    progress.dependency_versions.cache_clear()  # as a new `grade` process after the upgrade
    try:
        assert not still_cached(session), f"a new {package} left the cached verdict in place"
    finally:
        monkeypatch.undo()
        progress.dependency_versions.cache_clear()
    assert still_cached(session)  # and back: the key is the same function of the same inputs


def test_a_new_python_drops_the_cached_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = cached_session(tmp_path)
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    progress.dependency_versions.cache_clear()
    try:
        assert not still_cached(session)
    finally:
        monkeypatch.undo()
        progress.dependency_versions.cache_clear()


def test_everything_a_stage_run_imports_from_the_repository_is_in_the_key(tmp_path: Path) -> None:
    """Run a stage's hidden tests the way the child does (pytest, tests/conftest.py, the kit)
    and list every file of the repository it imported: each must be hashed (the grader side,
    the stage's folder, or the hidden test file itself). Installed packages count by version."""
    plugin = tmp_path / "list_imports.py"
    listing = tmp_path / "imported.txt"
    plugin.write_text(
        "import sys\n"
        "def pytest_sessionfinish(session):\n"
        "    files = {getattr(m, '__file__', None) for m in list(sys.modules.values())}\n"
        f"    open({str(listing)!r}, 'w').write('\\n'.join(sorted(f for f in files if f)))\n",
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    for stage in (STAGES[0], STAGES[-1]):
        done = subprocess.run(
            [sys.executable, "-m", "pytest", stage.test_file, "--target=solutions", "-q",
             "-p", "list_imports", "-p", "no:cacheprovider"],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert listing.is_file(), done.stdout + done.stderr
        hashed = {os.path.realpath(p) for p in grader_side_files(REPO_ROOT)}
        stage_folder = os.path.realpath(REPO_ROOT / "solutions" / stage.id) + os.sep
        test_file = os.path.realpath(REPO_ROOT / stage.test_file)
        installed = os.path.realpath(sys.prefix) + os.sep
        missed = []
        for name in listing.read_text(encoding="utf-8").splitlines():
            path = os.path.realpath(name)
            inside = (path.startswith(os.path.realpath(REPO_ROOT) + os.sep)
                      and not path.startswith(installed))  # a venv in the checkout: versions
            if inside and path not in hashed and path != test_file and not path.startswith(stage_folder):
                missed.append(os.path.relpath(path, REPO_ROOT))
        assert not missed, f"stage {stage.id} imports files the cache key does not cover: {missed}"


def test_an_unchanged_grader_side_is_hashed_once(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key is computed on every save in `grade watch`: an unchanged grader side is not read
    again (one stat per file), a changed one is."""
    hashed: list[int] = []
    real = progress._update
    monkeypatch.setattr(progress, "_update", lambda digest, paths: (hashed.append(len(paths)),
                                                                    real(digest, paths)))
    target = make_target(root, SETUP.id, {"setup.py": GOOD_SETUP})
    first = stage_digest(SETUP, target)
    many = len(hashed)
    assert stage_digest(SETUP, target) == first
    assert hashed[many:] == [hashed[-1]]  # the second time: only the stage's own files
    pulled(root / "grader" / "render.py", "# upstream\n")
    assert stage_digest(SETUP, target) != first
