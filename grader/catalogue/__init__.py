"""The stage catalogue: the one place where a stage's number, title, time and hints live.

Add a stage: write `sNN_name.py` with a `STAGE`, and list it in `STAGES` below.
"""

from __future__ import annotations

from grader.catalogue import s00_setup, s01_future
from grader.catalogue.common import COMMON_HINTS
from grader.model import Hint, Stage

STAGES: tuple[Stage, ...] = (
    s00_setup.STAGE,
    s01_future.STAGE,
)


def find_stage(name: str) -> Stage | None:
    """Accept `3`, `03`, `03_channel` or `channel`."""
    key = name.strip().lower()
    for stage in STAGES:
        number, slug = stage.id.split("_", 1)
        if key in (stage.id, slug, number) or (key.isdigit() and int(key) == stage.number):
            return stage
    return None


def find_hint(stage: Stage, hint_id: str) -> Hint | None:
    return stage.hint(hint_id) or next((h for h in COMMON_HINTS if h.id == hint_id), None)
