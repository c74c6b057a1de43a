"""The progress file: a small versioned JSON cache of verified results, keyed by content.

Nothing in it is precious: every result can be rebuilt by running the tests again, so a
damaged file is set aside (never deleted) and rebuilt, and an unwritable one only costs
the cache. What the attendee wrote lives in `exercises/`, never here.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.atomic import write_atomically
from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.results import StageResult

VERSION = 1


def progress_file() -> Path:
    """`.grade/progress.json` in the repository; `GRADE_PROGRESS` overrides it (tests, CI)."""
    override = os.environ.get("GRADE_PROGRESS")
    return Path(override) if override else REPO_ROOT / ".grade" / "progress.json"


# What decides a verdict besides the stage's own folder and its hidden tests: whole folders
# and files, never a list of modules to keep up to date. The grader package (runner, child
# plugin, catalogue, ...), the given runtime core, the kit, every conftest on the way to the
# hidden tests and the plugin the root one loads (own_suite), and the pytest settings.
GRADER_SIDE = ("grader", "stdtask", "tests/kit", "tests/conftest.py", "tests/own_suite.py",
               "tests/stages/conftest.py", "pyproject.toml")
# What runs the hidden tests: the interpreter and these distributions (pytest-timeout is loaded
# by the child too).
DEPENDENCIES = ("pytest", "hypothesis", "pytest-timeout")


def _content(path: Path) -> bytes:
    """A regular file's bytes; a marker for anything else (a pipe must never block us)."""
    try:
        if path.is_symlink() and not path.exists():
            return b"<dangling link>"
        if not path.exists():
            return b"<missing>"
        if not path.is_file():
            return b"<not a regular file>"
        return path.read_bytes()
    except OSError:
        return b"<unreadable>"


def _walk(folder: str) -> list[str]:
    """The files under `folder`, sorted, as strings (os.walk: pathlib is ten times slower
    here, which counts on every save in `grade watch`); caches and hidden files left out."""
    found = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
        found += [os.path.join(top, n) for n in names if not n.startswith(".") and not n.endswith(".pyc")]
    return sorted(found)


def stage_files(folder: Path) -> list[Path]:
    """Every file of a stage folder (helpers and given files beside the stage file count
    too), sorted; caches (__pycache__, compiled files) and hidden files left out."""
    return [Path(p) for p in _walk(str(folder))] if folder.is_dir() else []


def _shown(path: Path) -> str:
    return (path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path).as_posix()


def _update(digest: Any, paths: list[Path]) -> None:
    for path in paths:
        digest.update(_shown(path).encode() + b"\0")
        content = _content(path)
        digest.update(len(content).to_bytes(8, "big") + content)


@functools.cache
def dependency_versions() -> str:
    """The interpreter's and the test dependencies' versions (read once per process)."""
    from importlib.metadata import PackageNotFoundError, version

    def of(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "<not installed>"

    found = [f"{sys.implementation.name} {sys.version}"] + [f"{n} {of(n)}" for n in DEPENDENCIES]
    return "\n".join(found)


def grader_side_files(root: Path | None = None) -> list[str]:
    """Every file of GRADER_SIDE, as it is now (a file added or removed changes the list)."""
    root = root or REPO_ROOT
    paths: list[str] = []
    for name in GRADER_SIDE:
        base = os.path.join(root, name)
        paths += _walk(base) if os.path.isdir(base) else [base]
    return paths


def _signature(path: str) -> tuple[int, ...] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


_Signatures = tuple[str, tuple[tuple[str, tuple[int, ...] | None], ...]]
_grader_side: tuple[_Signatures, str] | None = None  # the last (signatures, digest) computed


def grader_digest() -> str:
    """A fingerprint of everything grader-side that decides a verdict (GRADER_SIDE, the versions).

    It is read on every save in `grade watch`, for every stage: the files are hashed again only
    when one of them was added, removed, or changed (inode, size, mtime or ctime), so a `git
    pull` is always seen, and an unchanged tree costs one stat per file (under a millisecond).
    """
    global _grader_side
    files = grader_side_files()
    versions = dependency_versions()
    signatures = (versions, tuple((p, _signature(p)) for p in files))
    if _grader_side is not None and _grader_side[0] == signatures:
        return _grader_side[1]
    digest = hashlib.sha256(versions.encode())
    _update(digest, [Path(p) for p in files])
    _grader_side = (signatures, digest.hexdigest())
    return _grader_side[1]


def stage_digest(stage: Stage, target_dir: Path) -> str:
    """A fingerprint of everything that decides this stage's verdict: every file of the stage's
    folder (the attendee's files first), its hidden tests, and grader_digest()."""
    digest = hashlib.sha256(f"{VERSION}:{stage.id}:{grader_digest()}".encode())
    folder = target_dir / stage.id
    paths = [folder / name for name in stage.files]
    paths += [p for p in stage_files(folder) if p not in paths]
    paths.append(REPO_ROOT / stage.test_file)
    _update(digest, paths)
    return digest.hexdigest()


class Progress:
    """The progress file, changed only by read-modify-write under a lock.

    Every change (`store`, `forget`, `next_hint_level`) re-reads the file under an inter-process
    lock, applies itself, and writes the result atomically (unique temporary name, replace
    retried on Windows), so `grade watch` in one terminal and `grade hint` in another never
    undo each other. The lock is `filelock` (a small, well-kept pure-Python library: locking
    files portably across Windows and POSIX is exactly what it does, and a home-made lock
    would need its own stale-lock and Windows handling).
    """

    LOCK_SECONDS = 15.0

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or progress_file()
        self.warnings: list[str] = []
        self.data: dict[str, Any] = self._empty()
        self._unsaved_warned = False
        self.data = self._read()

    @staticmethod
    def _empty() -> dict[str, Any]:
        return {"version": VERSION, "results": {}, "hints": {}}

    def _read(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return self._empty()
        except OSError as error:
            self.warnings.append(f"Could not read {self.path} ({error}); starting from scratch.")
            return self._empty()
        try:
            data = json.loads(raw.decode("utf-8"))  # bad UTF-8 is a ValueError too
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError("unknown layout")
            if not isinstance(data.get("results"), dict) or not isinstance(data.get("hints"), dict):
                raise ValueError("missing sections")
            return data
        except ValueError:
            self._set_aside()
            return self._empty()

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

    def _update(self, change: Callable[[dict[str, Any]], Any]) -> Any:
        """Apply `change` to the file's current content under the lock; keep it in memory too."""
        from filelock import FileLock, Timeout

        if self._unsaved_warned:  # unwritable: don't wait for a lock that can never be taken
            return change(self.data)
        lock = str(self.path) + ".lock"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(lock, os.O_RDWR | os.O_CREAT, 0o666))  # fails at once if read-only
            with FileLock(lock, timeout=self.LOCK_SECONDS):
                data = self._read()
                value = change(data)
                if not write_atomically(self.path, json.dumps(data, indent=1)):
                    raise OSError("the folder is not writable")
                self.data = data
                return value
        except (OSError, Timeout) as error:
            if not self._unsaved_warned:
                self._unsaved_warned = True
                reason = getattr(error, "strerror", None) or error
                self.warnings.append(
                    f"Could not save progress to {self.path} ({reason}); "
                    "grading works, but results are not cached."
                )
            return change(self.data)

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
        entry = {"digest": digest, "result": result.to_json()}
        self._update(lambda data: data["results"].__setitem__(stage.id, entry))

    def forget(self, stage_ids: list[str]) -> None:
        def drop(data: dict[str, Any]) -> None:
            for stage_id in stage_ids:
                data["results"].pop(stage_id, None)

        if stage_ids:
            self._update(drop)

    def last_result(self, stage: Stage) -> StageResult | None:
        entry = self.data["results"].get(stage.id)
        try:
            return StageResult.from_json(entry["result"]) if isinstance(entry, dict) else None
        except (KeyError, TypeError, ValueError):
            return None

    # --- progressive hints ---------------------------------------------------------------
    def next_hint_level(self, stage: Stage, hint_id: str, levels: int) -> int:
        """1 the first time a hint is asked for, then one more each time, up to `levels`."""

        def bump(data: dict[str, Any]) -> int:
            entry = data["hints"].get(stage.id)
            level = (
                entry.get("level", 0) if isinstance(entry, dict) and entry.get("hint") == hint_id else 0
            )
            level = min(int(level) + 1, levels)
            data["hints"][stage.id] = {"hint": hint_id, "level": level}
            return level

        return int(self._update(bump))

    def save(self) -> None:
        """Nothing to do: every change is written when it is made (kept for callers)."""
