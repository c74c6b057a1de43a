"""Source texts and helpers shared by the grader's tests."""

import os
import shutil
import time
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


# Stage 00's file, looping forever in greeting(): a hang.
HANGING = GOOD_SETUP.replace('    return "Hello, Future!"', "    while True:\n        pass")


def hangs_after_writing_its_pid(marker: Path, before: str = "") -> str:
    """HANGING, but its loop first runs `before` (indented source) and writes its pid to `marker`."""
    says_pid = f"    open({str(marker)!r}, 'w').write(str(__import__('os').getpid()))\n"
    return HANGING.replace("    while True:", before + says_pid + "    while True:")


def running_pid(marker: Path) -> int | None:
    """The pid the attendee's code wrote once it was running, if it has."""
    try:
        return int(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def gone(pid: int) -> bool:
    """The process has exited (a zombie has: only its exit status waits for a parent to read)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except (OSError, IndexError):
            pass
        time.sleep(0.05)  # polling a condition, not timing anything
    return False
