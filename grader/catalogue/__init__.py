"""The stage catalogue: the one place where a stage's number, title, time and hints live.

Each stage is a module `sNN_name.py` in this folder defining `STAGE`; they are found in
number order (there is no list to edit). What belongs to the whole workshop (its title,
the capstone `grade bench` measures, the "all done" message) is `workshop.WORKSHOP`.
"""

from __future__ import annotations

import importlib
import pkgutil

from grader.catalogue.common import COMMON_HINTS
from grader.catalogue.workshop import WORKSHOP
from grader.model import Hint, Stage

__all__ = ["COMMON_HINTS", "STAGES", "WORKSHOP", "capstone", "find_hint", "find_stage"]


def _discover() -> tuple[Stage, ...]:
    names = sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if m.name[:1] == "s" and m.name[1:3].isdigit()
    )
    return tuple(importlib.import_module(f"{__name__}.{name}").STAGE for name in names)


STAGES: tuple[Stage, ...] = _discover()


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


def capstone() -> Stage:
    """The stage whose runtime `grade bench` measures (WORKSHOP.capstone)."""
    stage = find_stage(WORKSHOP.capstone)
    if stage is None:
        raise LookupError(f"grader/catalogue/workshop.py names the capstone {WORKSHOP.capstone!r}, "
                          "which is not a stage of the catalogue")
    return stage
