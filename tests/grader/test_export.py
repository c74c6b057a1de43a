"""`grade export`: the student copy has no answers, installs from scratch and grades its stubs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.export import MARKER, WHEELHOUSE, build_wheelhouse, export_copy, is_student_copy
from grader.paths import REPO_ROOT
from grader.session import UsageError

needs_solutions = pytest.mark.skipif(
    not (REPO_ROOT / "solutions").is_dir(),
    reason="this is already a student copy (no solutions/): nothing to leave out",
)
NETWORK_TROUBLE = ("NewConnectionError", "Temporary failure in name resolution", "No matching distribution",
                   "Could not find a version", "Network is unreachable", "ProxyError")


@pytest.fixture(scope="module")
def student_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    destination = tmp_path_factory.mktemp("export") / "student"
    export_copy(destination)
    return destination


def in_copy(root: Path, *command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python <command>` in the copy, importing the copy's own packages."""
    env = {**os.environ, "PYTHONPATH": str(root), "GRADE_PROGRESS": str(root / ".grade" / "p.json"),
           "COLUMNS": "200"}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, *command], cwd=root, capture_output=True, text=True,
                          env=env, timeout=timeout, stdin=subprocess.DEVNULL)


@needs_solutions
def test_the_copy_leaves_out_answers_and_local_state(student_copy: Path) -> None:
    present = {p.relative_to(student_copy).as_posix() for p in student_copy.rglob("*")}
    for gone in ("solutions", "tests/mutants", "tests/alternatives", ".git", ".venv", ".grade"):
        assert gone not in present, gone
    assert not [p for p in present if "__pycache__" in p or p.endswith(".egg-info")]
    for kept in ("pyproject.toml", "README.md", "stdtask", "grader/cli.py", "tests/stages", "tests/kit",
                 "exercises/00_setup/setup.py", "slides/00_setup.md"):
        assert kept in present, kept
    assert (student_copy / MARKER).is_file()
    assert is_student_copy(student_copy) and not is_student_copy(REPO_ROOT)


def test_export_refuses_a_folder_inside_the_repository_or_not_empty(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="inside the repository"):
        export_copy(REPO_ROOT / "student-copy")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match="not empty"):
        export_copy(tmp_path / "full")
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]


def test_export_without_a_destination_is_a_usage_error(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("export")
    assert run.code == 2
    assert "--output" in run.output and "Traceback" not in run.output


@needs_solutions
def test_export_through_the_cli(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = grade("export", "--output", str(tmp_path / "copy"))
    assert run.code == 0, run.output
    assert "Student copy written" in run.output
    assert is_student_copy(tmp_path / "copy") and not (tmp_path / "copy" / "solutions").exists()


@needs_solutions
def test_instructor_tests_skip_with_a_reason_in_the_copy(student_copy: Path) -> None:
    done = in_copy(student_copy, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                   "tests/grader/test_mutants.py", "tests/grader/test_verify.py",
                   "tests/grader/test_stage_contract.py", "-k", "api or mutant or verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "student copy" in done.stdout and "skipped" in done.stdout, done.stdout


@needs_solutions
def test_verify_in_the_copy_says_it_needs_the_full_repository(student_copy: Path) -> None:
    done = in_copy(student_copy, "-m", "grader.cli", "verify")
    assert done.returncode == 2
    assert "solutions/" in done.stdout and "Traceback" not in done.stdout + done.stderr


@needs_solutions
@pytest.mark.heavy
@pytest.mark.timeout(900)  # pip downloads the dependencies once
def test_the_copy_installs_offline_from_its_wheelhouse_and_grades_its_stubs(
    student_copy: Path, tmp_path: Path
) -> None:
    """`grade export --wheelhouse`, then the README's offline install with no index at all."""
    wheels = student_copy / WHEELHOUSE
    try:
        build_wheelhouse(wheels, pythons=(f"{sys.version_info.major}.{sys.version_info.minor}",))
    except OSError as error:
        if any(s in str(error) for s in NETWORK_TROUBLE):
            pytest.skip(f"pip could not reach a package index to build the wheelhouse: {error}")
        raise
    assert all(w.name.endswith("-none-any.whl") for w in wheels.glob("*.whl")), "pure Python only"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    offline = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    offline["PIP_CONFIG_FILE"] = os.devnull  # this machine's pip config must not add an index
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheels),
         "-e", str(student_copy)],
        capture_output=True, text=True, timeout=600, env=offline, stdin=subprocess.DEVNULL)
    assert install.returncode == 0, install.stdout + install.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["GRADE_PROGRESS"] = str(tmp_path / "progress.json")
    done = subprocess.run([str(bin_dir / "grade"), "--json"], cwd=student_copy, capture_output=True,
                          text=True, env=env, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["stages"][0]["id"] == "00_setup"
    assert report["stages"][0]["status"] == "failed"
    assert all(s["status"] == "locked" for s in report["stages"][1:])
