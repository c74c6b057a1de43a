"""The progress file: a small versioned JSON cache of verified results, keyed by content.

Nothing in it is precious: every result can be rebuilt by running the tests again, so a
damaged file is set aside (never deleted) and rebuilt, and an unwritable one only costs
the cache. What the attendee wrote lives in `exercises/`, never here.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.results import StageResult

VERSION = 1


def progress_file() -> Path:
    """`.grade/progress.json` in the repository; `GRADE_PROGRESS` overrides it (tests, CI)."""
    override = os.environ.get("GRADE_PROGRESS")
    return Path(override) if override else REPO_ROOT / ".grade" / "progress.json"


# Files whose content decides a verdict besides the attendee's own.
_GRADER_INPUTS = ("stdtask", "tests/kit", "tests/conftest.py", "grader/child_plugin.py")


def stage_digest(stage: Stage, target_dir: Path) -> str:
    """A fingerprint of everything that decides this stage's verdict."""
    digest = hashlib.sha256(f"{VERSION}:{stage.id}".encode())
    paths = [target_dir / stage.id / name for name in stage.files]
    paths.append(REPO_ROOT / stage.test_file)
    for name in _GRADER_INPUTS:
        base = REPO_ROOT / name
        paths.extend(sorted(base.rglob("*.py")) if base.is_dir() else [base])
    for path in paths:
        digest.update(
            str(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path).encode()
        )
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


class Progress:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or progress_file()
        self.warnings: list[str] = []
        self.data: dict[str, Any] = {"version": VERSION, "results": {}, "hints": {}}
        self._load()

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as error:
            self.warnings.append(f"Could not read {self.path} ({error}); starting from scratch.")
            return
        try:
            data = json.loads(raw.decode("utf-8"))  # bad UTF-8 is a ValueError too
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError("unknown layout")
            if not isinstance(data.get("results"), dict) or not isinstance(data.get("hints"), dict):
                raise ValueError("missing sections")
            self.data = data
        except ValueError:
            self._set_aside()

    def _set_aside(self) -> None:
        backup = self.path.with_name(self.path.name + ".damaged")
        try:
            os.replace(self.path, backup)
            kept = f" (kept as {backup.name})"
        except OSError:
            kept = ""
        self.warnings.append(
            f"The progress file was damaged{kept}. It is only a cache: your "
            "stages are being verified again from your files."
        )

    # --- cached verdicts -----------------------------------------------------------------
    def cached(self, stage: Stage, digest: str) -> StageResult | None:
        entry = self.data["results"].get(stage.id)
        if not isinstance(entry, dict) or entry.get("digest") != digest:
            return None
        try:
            result = StageResult.from_json(entry["result"])
        except (KeyError, TypeError, ValueError):
            return None
        result.cached = True
        return result

    def store(self, stage: Stage, digest: str, result: StageResult) -> None:
        self.data["results"][stage.id] = {"digest": digest, "result": result.to_json()}

    def last_result(self, stage: Stage) -> StageResult | None:
        entry = self.data["results"].get(stage.id)
        try:
            return StageResult.from_json(entry["result"]) if isinstance(entry, dict) else None
        except (KeyError, TypeError, ValueError):
            return None

    # --- progressive hints ---------------------------------------------------------------
    def next_hint_level(self, stage: Stage, hint_id: str, levels: int) -> int:
        """1 the first time a hint is asked for, then one more each time, up to `levels`."""
        entry = self.data["hints"].get(stage.id)
        level = (
            entry.get("level", 0) if isinstance(entry, dict) and entry.get("hint") == hint_id else 0
        )
        level = min(int(level) + 1, levels)
        self.data["hints"][stage.id] = {"hint": hint_id, "level": level}
        return level

    def save(self) -> None:
        """Write atomically (a crash mid-write leaves the old file); never raise."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(self.path.name + ".tmp")
            temporary.write_text(json.dumps(self.data, indent=1), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as error:
            self.warnings.append(
                f"Could not save progress to {self.path} ({error.strerror or error}); "
                "grading works, but results are not cached."
            )
