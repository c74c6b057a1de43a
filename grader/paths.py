"""Where things are: the repository (the folder that holds this `grader` package, an editable
install) and the target folder a run grades. The one owner of both; `kit.loader` uses them too."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NAMED_TARGETS = ("exercises", "solutions")  # the repository's own folders, named by their name


def target_path(target: str) -> Path:
    """The folder `target` names: `exercises`, `solutions` (in the repository, whatever the
    working directory), or any other path, made absolute. Not checked for existence."""
    return REPO_ROOT / target if target in NAMED_TARGETS else Path(target).resolve()
