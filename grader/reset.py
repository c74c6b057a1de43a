"""`grade reset N`: put a stage's stub back as it was, keeping a backup of the attendee's file.

Both kinds of file of the stage folder: the ones the attendee edits and the given ones (an
earlier stage's answer, handed out complete), in case one was edited after all.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.prompt import Confirm
from rich.text import Text

from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.pristine import pristine_bytes, sha256
from grader.session import EXIT_FAILED, EXIT_PASSED, Session, UsageError

BACKUPS = REPO_ROOT / ".grade" / "backups"


def reset(session: Session, stage: Stage | None, args: argparse.Namespace) -> int:
    console = session.console
    if stage is None:
        raise UsageError("say which stage to reset, e.g. `grade reset 3`")
    changed = []
    for name in stage.all_files:
        rel = f"{stage.id}/{name}"
        original = pristine_bytes(rel)
        if original is None:
            console.print(Text(
                f"No pristine copy of exercises/{rel} is available (it was edited before the first "
                "`grade` run and this is not a git checkout). Copy the file from a fresh download "
                "of the workshop.", style="bold red"))
            return EXIT_FAILED
        path = session.target_dir / rel
        current = path.read_bytes() if path.is_file() else None
        if current is None or sha256(current) != sha256(original):
            changed.append((path, current, original))
    if not changed:
        console.print(f"Stage {stage.number:02d} is already as it was at the start: nothing to reset.")
        return EXIT_PASSED
    names = ", ".join(_shown(path) for path, _, _ in changed)
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(f"reset would overwrite {names}; add --yes to confirm without a prompt")
        if not Confirm.ask(f"Overwrite {names} with the original stub? (a backup is kept)",
                           console=console, default=False):
            console.print("Nothing changed.")
            return EXIT_PASSED
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path, current, original in changed:
        try:
            if current is not None:
                backup = BACKUPS / stage.id / f"{path.stem}-{stamp}{path.suffix}"
                backup.parent.mkdir(parents=True, exist_ok=True)
                backup.write_bytes(current)
                console.print(f"Your version is saved as {_shown(backup)}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(original)
        except OSError as error:
            where = error.filename or path
            console.print(Text(
                f"Could not reset {_shown(path)}: {error.strerror or error} ({where}). Is the folder "
                "read-only? Make it writable (or copy the workshop somewhere you can write) and run "
                "`grade reset` again. Nothing was overwritten.", style="bold red"))
            return EXIT_FAILED
    console.print(Text(f"Stage {stage.number:02d} is back to its stub: {names}", style="green"))
    return EXIT_PASSED


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)
