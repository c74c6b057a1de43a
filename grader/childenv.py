"""What a grading child starts with: its environment, and the files it imports before its request.

One owner for both facts, shared by the two ways a child starts (`grader.runner` starts one;
`grader.forkserver` forks one from a warm server): a spare or a server whose files changed
since it imported them is out of date, and never used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from grader.paths import REPO_ROOT


def child_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a grading child: this process's (or `base`), made reproducible."""
    env = {
        **(os.environ if base is None else base),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_COLOR": "1",
        "PYTHONIOENCODING": "utf-8",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # only the plugins grader.child names
    }
    env.pop("PYTEST_ADDOPTS", None)
    for name in [name for name in env if name.startswith("GRADE_")]:
        env.pop(name)  # the grader's own settings are the parent's business, not the attendee's
    for name in [name for name in env if name.startswith("PYTEST_XDIST_")]:
        env.pop(name)  # graded from the project's suite on xdist: the child is no xdist worker
    return env


# What a spare child imports before its request: if one of these files changes while it waits
# (a `git pull`, an edit of the kit), it is discarded rather than run with the old code.
PREIMPORTED = ("stdtask/*.py", "tests/kit/*.py", "tests/conftest.py", "grader/*.py", "grader/catalogue/*.py")


def preimported_state() -> tuple[tuple[str, int, int], ...]:
    found = []
    for pattern in PREIMPORTED:
        for path in sorted(REPO_ROOT.glob(pattern)):
            try:
                info = path.stat()
            except OSError:
                continue
            found.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(found)
