"""Source texts and helpers shared by the grader's tests."""

import shutil
from pathlib import Path

from grader.paths import REPO_ROOT

GOOD_SETUP = '''from stdtask import Poll, Ready


def greeting() -> str:
    return "Hello, Future!"


def first_poll() -> Poll[str]:
    return Ready(greeting())
'''


COPIED = ("stdtask", "grader", "tests", "exercises", "solutions", "slides", "pyproject.toml")


def copy_repository(into: Path) -> Path:
    """A copy of the repository's code, tests and content (no venv, no .grade) in `into/repo`."""
    root = into / "repo"
    root.mkdir()
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".hypothesis", "*.pyc"))
        else:
            shutil.copy2(source, root / name)
    return root
