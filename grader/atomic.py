"""Writing a small file so that a reader sees the old content or the new, never half of it."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def write_atomically(path: Path, text: str) -> bool:
    """Write via a unique temporary file and a replace (retried: Windows refuses an open file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        replace_with_retry(Path(temporary), path)
        return True
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False


def replace_with_retry(source: Path, destination: Path, attempts: int = 20) -> None:
    for attempt in range(attempts):
        try:
            os.replace(source, destination)
            return
        except PermissionError:  # Windows: another process has the file open for a moment
            if attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
