"""What a stage is, what a hint is: the data the catalogue is written in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hint:
    """Explains one way a stage can fail, without giving the answer.

    Shown as a ladder where each step *adds* (grader.render): the failure panel has what
    happened (the test's own message and the line) and `check`, the first question; `grade
    hint` then gives `pointer` (where to look, sharper), then `why` (the concept) with the
    slide, then `rust` (the Rust counterpart). No step repeats an earlier one, and none
    writes the fix.
    """

    id: str
    title: str  # the mistake's name, e.g. "Lost waker"
    symptom: str  # what the attendee sees happen, in general (the test's message is specific)
    why: str  # the concept: why it matters
    check: str  # the first question, shown in the failure panel
    rust: str  # the Rust counterpart
    slide: str  # title of the slide (a `## ` heading in slides/<stage>.md) to reread
    pointer: str = ""  # where to look, sharper than `check` (level 1); else the failure's line


@dataclass(frozen=True)
class Given:
    """A file a stage hands out complete: a copy of an earlier stage's reference (or of a file
    of this stage's solution), imported by the files the attendee edits, never pasted into them.

    `exercises/<stage>/<name>` and `solutions/<stage>/<name>` must equal `source` byte for byte
    (line endings aside): `checks.given_problems` proves it, `python -m grader.given` refreshes
    the copies. Stage N's folder hands out stage N-1's answer this way.
    """

    name: str  # the file name inside exercises/<id>/ and solutions/<id>/, e.g. "spawn.py"
    source: str  # the file it copies, from the repository root, e.g. "solutions/06_spawn/spawn.py"


@dataclass(frozen=True)
class Stage:
    """One numbered step of the workshop: exercise + solution + tests + hints + slides."""

    id: str  # folder name, e.g. "01_future": exercises/01_future, slides/01_future.md
    title: str
    minutes: int  # approximate workshop time
    files: tuple[str, ...]  # the files the attendee edits, inside exercises/<id>/
    goal: str  # one sentence: what the attendee builds
    hints: tuple[Hint, ...] = field(default=())
    given: tuple[Given, ...] = field(default=())  # files handed out complete (not edited)

    @property
    def number(self) -> int:
        return int(self.id.split("_", 1)[0])

    @property
    def test_file(self) -> str:
        return f"tests/stages/test_{self.id}.py"

    @property
    def slides_file(self) -> str:
        return f"slides/{self.id}.md"

    @property
    def given_files(self) -> tuple[str, ...]:
        """The names of the given files, inside exercises/<id>/ and solutions/<id>/."""
        return tuple(g.name for g in self.given)

    @property
    def all_files(self) -> tuple[str, ...]:
        """Every file of the stage folder: the edited ones, then the given ones."""
        return self.files + self.given_files

    def hint(self, hint_id: str) -> Hint | None:
        return next((h for h in self.hints if h.id == hint_id), None)


@dataclass(frozen=True)
class Workshop:
    """What belongs to the whole workshop rather than to one stage (grader/catalogue/workshop.py)."""

    title: str  # the progress table's title
    capstone: str  # the stage id whose runtime `grade bench` races against asyncio
    capstone_file: str  # the capstone's file that holds that runtime (one of its `files`)
    # The message when every stage passes; {stages}, {hours} and {minutes} come from the
    # catalogue (how many stages, their total time), so no number in it can go stale.
    all_done: str
    # The stage that was last when `all_done` was written: it says what the attendee built,
    # so a new last stage makes it stale, and the freshness check (checks.workshop_problems)
    # fails until the message is rewritten and this names the new last stage.
    all_done_written_for: str

    def all_done_text(self, stages: Sequence[Stage]) -> str:
        """`all_done` with the stages' count and total time filled in."""
        total = sum(s.minutes for s in stages)
        return self.all_done.format(stages=len(stages), hours=total // 60, minutes=total % 60)


def slide_anchor(title: str) -> str:
    """The anchor a slide title gets in the HTML export (GitHub-style slug)."""
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).strip().replace(" ", "-")
