"""The code base stays `ruff` clean (skipped where ruff is not installed)."""

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
