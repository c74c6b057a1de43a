"""The pristine stubs, so `grade reset` works without git.

Rather than keep a second copy of every stub, the repository keeps their SHA-256 in
`grader/pristine.json` (checked against `exercises/` by the project's tests). Each `grade`
run snapshots any stub that still matches its hash into `.grade/pristine/`; the install
command runs `grade` at once, so the snapshot exists before the first edit. A checkout
with git can also recover a stub from `HEAD` when its hash matches.

Regenerate the manifest after changing a stub: `python -m grader.pristine` (after changing
the source of a given file, `python -m grader.given` refreshes the copies, then this).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from grader.catalogue import STAGES
from grader.paths import REPO_ROOT

MANIFEST = REPO_ROOT / "grader" / "pristine.json"
SNAPSHOTS = REPO_ROOT / ".grade" / "pristine"


def sha256(data: bytes) -> str:
    """Content hash that ignores line endings (a Windows checkout may have CRLF)."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def stub_paths() -> list[str]:
    """`NN_name/file.py` for every file of exercises/: the ones an attendee edits, and the
    given ones (a student copy has no solutions/ to restore them from)."""
    return [f"{stage.id}/{name}" for stage in STAGES for name in stage.all_files]


def current_hashes() -> dict[str, str]:
    return {rel: sha256((REPO_ROOT / "exercises" / rel).read_bytes()) for rel in stub_paths()}


def manifest() -> dict[str, str]:
    try:
        data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def snapshot(exercises: Path) -> None:
    """Keep a copy of each stub that is still pristine (cheap: a few small files)."""
    for rel, digest in manifest().items():
        saved = SNAPSHOTS / rel
        source = exercises / rel
        if saved.exists() or not source.is_file():  # a folder or a pipe is not a stub
            continue
        try:
            if sha256(source.read_bytes()) == digest:
                saved.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, saved)
        except OSError:
            return  # a read-only checkout: reset can still try git


def pristine_bytes(rel: str) -> bytes | None:
    """The pristine content of `exercises/<rel>`, from the snapshot or git; None if lost."""
    digest = manifest().get(rel)
    if digest is None:
        return None
    try:
        data = (SNAPSHOTS / rel).read_bytes()
        if sha256(data) == digest:
            return data
    except OSError:
        pass
    return _from_git(f"exercises/{rel}", digest)


def _from_git(path: str, digest: str) -> bytes | None:
    try:
        shown = subprocess.run(["git", "show", f"HEAD:{path}"], cwd=REPO_ROOT, capture_output=True,
                               timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if shown.returncode == 0 and sha256(shown.stdout) == digest:
        return shown.stdout
    return None


def write_manifest() -> None:
    """Record the hash of every stub as it is now (after changing a stub or a given file)."""
    MANIFEST.write_text(json.dumps(current_hashes(), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_manifest()
    print(f"wrote {MANIFEST.relative_to(REPO_ROOT)} ({len(stub_paths())} stubs)")
