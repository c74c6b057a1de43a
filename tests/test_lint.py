"""The code base stays `ruff` clean and type-checks with `mypy` (each skipped where not installed)."""

import importlib.util
import subprocess
import sys

import pytest

from grader.paths import REPO_ROOT


def test_ruff_is_clean() -> None:
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", str(REPO_ROOT)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean() -> None:
    # What is checked, and how, is `[tool.mypy]` in pyproject.toml: the runtime core, the test
    # kit and the model answers. The cache (.mypy_cache, gitignored) makes a re-run take < 1 s.
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-color-output"],
                          capture_output=True, text=True, cwd=REPO_ROOT)
    assert done.returncode == 0, "mypy found type errors:\n" + done.stdout + done.stderr
