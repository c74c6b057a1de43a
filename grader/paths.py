"""Where the repository is: the folder that holds this `grader` package (editable install)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
