"""The hint ladder adds at every step: the failure panel, then `grade hint` three times.

Panel: what happened (the test's message, the line) and the first question. Level 1: where
to look. Level 2: the concept and the slide. Level 3: the Rust counterpart. For every hint of
the catalogue, no level repeats a sentence of the panel or of an earlier level, and every
title fits an 80-column terminal.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from grader import render
from grader.catalogue import STAGES
from grader.catalogue.common import COMMON_HINTS
from grader.model import Hint, Stage
from grader.results import StageResult
from grader.results import TestResult as Result

LOCATION = {"file": "exercises/01_future/future.py", "line": 42, "function": "poll",
            "code": "return Pending"}
EVERY_HINT = [(stage, hint) for stage in STAGES for hint in (*stage.hints, *COMMON_HINTS)
              if hint in stage.hints or stage is STAGES[0]]


def shown(renderable: object, width: int = 80) -> str:
    out = io.StringIO()
    Console(file=out, width=width, no_color=True, color_system=None).print(renderable)
    return out.getvalue()


def sentences(text: str) -> set[str]:
    """The sentences of a text as shown (box drawing and line breaks taken out)."""
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())
    return {s.strip() for s in re.split(r"(?<=[.!?])\s+", flat) if len(s.strip()) > 25}


def ids(pair: tuple[Stage, Hint]) -> str:
    return f"{pair[0].id}/{pair[1].id}"


@pytest.mark.parametrize("pair", EVERY_HINT, ids=[ids(p) for p in EVERY_HINT])
def test_every_level_adds_and_none_repeats(pair: tuple[Stage, Hint]) -> None:
    stage, hint = pair
    test = Result("test_something", "failed", hint.id, "The test saw this happen.", LOCATION)
    panel = shown(render.failure_panel(stage, StageResult(stage.id, "failed", [test])))
    seen = sentences(panel)
    assert "First question" in panel
    for level in range(1, len(render.HINT_LEVELS) + 1):
        text = shown(render.hint_panel(stage, hint, level, test))
        assert render.HINT_LEVELS[level - 1] in text
        body = text.split(render.HINT_LEVELS[level - 1], 1)[1]
        new = sentences(body) - {s for s in sentences(body) if "again for:" in s or "every level" in s}
        repeated = (new & seen) - sentences(shown(render._where(test)))  # the line may be shown again
        assert not repeated, f"{stage.id}/{hint.id} level {level} repeats: {sorted(repeated)}"
        seen |= new
    assert len({hint.check, hint.pointer, hint.why, hint.rust} - {""}) == len(
        [x for x in (hint.check, hint.pointer, hint.why, hint.rust) if x]), "two levels say the same"


@pytest.mark.parametrize("pair", EVERY_HINT, ids=[ids(p) for p in EVERY_HINT])
def test_titles_fit_80_columns(pair: tuple[Stage, Hint]) -> None:
    stage, hint = pair
    test = Result("test_something", "failed", hint.id, "Message.", None)
    for renderable in (render.failure_panel(stage, StageResult(stage.id, "failed", [test])),
                       render.hint_panel(stage, hint, 1, test)):
        top = shown(renderable).splitlines()[0]
        assert len(top) <= 80 and top.rstrip().endswith("╮"), top


def test_a_long_title_is_cut_at_a_word() -> None:
    long = "Stage 06 — " + "a task that wakes itself on every poll and never lets the root run " * 2
    cut = render.fit_title(long)
    assert len(cut) <= render.TITLE_WIDTH and cut.endswith("\u2026") and not cut[:-1].endswith(" ")


def test_watch_says_press_h() -> None:
    stage = STAGES[1]
    test = Result("test_x", "failed", stage.hints[0].id, "Message.", None)
    panel = shown(render.failure_panel(stage, StageResult(stage.id, "failed", [test]), "press [h]"))
    assert "press [h]" in panel and "grade hint" not in panel


def test_not_started_only_at_the_first_todo(tmp_path) -> None:  # type: ignore[no-untyped-def]
    stage = STAGES[0]
    source = tmp_path / "setup.py"
    source.write_text("def a():\n    todo()\n\n\ndef b():\n    todo()\n", encoding="utf-8")
    for line, title in ((2, "Not started yet"), (6, "Keep going")):
        test = Result("test_x", "failed", "not_started", "not yet implemented",
                      {"file": str(source), "line": line, "function": "a"})
        panel = shown(render.failure_panel(stage, StageResult(stage.id, "failed", [test])))
        assert title in panel.splitlines()[0], panel


def test_where_you_are_names_the_stage_and_its_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = shown(render.where_you_are(STAGES[3], tmp_path), width=200)
    assert "Stages 00–02 pass." in text and f"stage 03 · {STAGES[3].title}" in text
    assert STAGES[3].files[0] in text
