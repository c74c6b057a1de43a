"""What a stage is, what a hint is: the data the catalogue is written in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hint:
    """Explains one way a stage can fail, without giving the answer.

    `grade` shows it in layers: symptom + check first, then why, then the Rust counterpart.
    """

    id: str
    title: str  # the mistake's name, e.g. "Lost waker"
    symptom: str  # what the attendee sees happen
    why: str  # the concept: why it matters
    check: str  # the next thing to look at in their code
    rust: str  # the Rust counterpart
    slide: str  # title of the slide (a `## ` heading in slides/<stage>.md) to reread

    def levels(self) -> list[tuple[str, str]]:
        """Progressive hint levels: each `grade hint` shows one more."""
        return [
            ("What to check", f"{self.symptom}\n\n{self.check}"),
            ("Why it matters", self.why),
            ("In Rust", f"{self.rust}\n\nReread the slide \u201c{self.slide}\u201d."),
        ]


@dataclass(frozen=True)
class Stage:
    """One numbered step of the workshop: exercise + solution + tests + hints + slides."""

    id: str  # folder name, e.g. "01_future": exercises/01_future, slides/01_future.md
    title: str
    minutes: int  # approximate workshop time
    files: tuple[str, ...]  # the files the attendee edits, inside exercises/<id>/
    goal: str  # one sentence: what the attendee builds
    hints: tuple[Hint, ...] = field(default=())

    @property
    def number(self) -> int:
        return int(self.id.split("_", 1)[0])

    @property
    def test_file(self) -> str:
        return f"tests/stages/test_{self.id}.py"

    @property
    def slides_file(self) -> str:
        return f"slides/{self.id}.md"

    def hint(self, hint_id: str) -> Hint | None:
        return next((h for h in self.hints if h.id == hint_id), None)


def slide_anchor(title: str) -> str:
    """The anchor a slide title gets in the HTML export (GitHub-style slug)."""
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).strip().replace(" ", "-")
