"""A stage's deck, parsed: `slides/<stage id>.md` as slides of prose, code, pairs and notes.

`# title`, then one slide per `## ` heading. A ```rust block immediately followed by a
```python block is a pair, shown side by side where there is room. Fence tags follow mdBook
(`rust,ignore`, `rust,compile_fail`); they are mapped to the lexer `rust` for highlighting,
and the flag becomes the block's label. A ```notes block holds the slide's speaker notes
(Markdown): shown in the presenter view of the HTML export, never to the audience.

Used by the terminal view (grader.slides) and the HTML export (grader.deck_html).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from grader.model import Stage, slide_anchor
from grader.paths import REPO_ROOT

NOTES = "notes"  # the fence info of a slide's speaker notes
_ERROR_CODE = re.compile(r"E\d{4}")  # rustdoc's `compile_fail,E0382`: the error it must show

_LEXER_ALIASES = {"rs": "rust", "py": "python", "python3": "python", "sh": "bash", "shell": "bash"}
_LANGUAGE_NAMES = {"rust": "Rust", "python": "Python", "bash": "Shell", "toml": "TOML"}
_FLAG_NOTES = {
    "ignore": "fragment",
    "compile_fail": "does not compile, on purpose",
    "should_panic": "panics, on purpose",
    "no_run": "compiles, not run",
}


# --- a deck, parsed ------------------------------------------------------------------------
@dataclass
class Code:
    """One fenced block: its lexer (`rust`, `python`, ...), mdBook flags, and text."""

    lexer: str
    flags: tuple[str, ...]
    text: str

    @classmethod
    def from_info(cls, info: str, text: str) -> Code:
        words = info.replace(",", " ").split()
        lexer = words[0].lower() if words else "text"
        return cls(_LEXER_ALIASES.get(lexer, lexer), tuple(words[1:]), text.rstrip("\n"))

    @property
    def label(self) -> str:
        name = _LANGUAGE_NAMES.get(self.lexer, self.lexer if self.lexer != "text" else "")
        notes = [_FLAG_NOTES.get(flag, flag) for flag in self.flags if not _ERROR_CODE.fullmatch(flag)]
        codes = [flag for flag in self.flags if _ERROR_CODE.fullmatch(flag)]
        if codes and notes:
            notes[-1] += f" ({', '.join(codes)})"
        return " \u00b7 ".join([name, *notes]) if name else " \u00b7 ".join(notes)


@dataclass
class Pair:
    """A Rust block immediately followed by its Python counterpart."""

    rust: Code
    python: Code


@dataclass
class Prose:
    """Markdown between code blocks: tokens for HTML, source lines for the terminal."""

    tokens: list[Token]
    source: str


Block = Code | Pair | Prose


@dataclass
class Slide:
    title: str  # the `## ` heading's text, as hints name it
    anchor: str
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # speaker notes (Markdown), not for the audience


@dataclass
class Deck:
    id: str  # the stage id, e.g. "01_future"
    title: str
    intro: list[Block]  # what comes before the first slide
    slides: list[Slide]


def _markdown() -> MarkdownIt:
    # Raw HTML in a deck is shown as text: nothing in a deck can load anything from outside.
    return MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


def _top_level_blocks(tokens: list[Token]) -> Iterable[list[Token]]:
    """The tokens of each top-level block (a paragraph's open, inline and close, ...)."""
    group: list[Token] = []
    for token in tokens:
        group.append(token)
        if token.level == 0 and token.nesting <= 0:
            yield group
            group = []
    if group:
        yield group


def parse_deck(deck_id: str, text: str) -> Deck:
    lines = text.splitlines()
    title = deck_id
    intro: list[Block] = []
    slides: list[Slide] = []
    blocks = intro
    for group in _top_level_blocks(_markdown().parse(text)):
        first = group[0]
        if first.type == "heading_open" and first.tag in ("h1", "h2"):
            heading = group[1].content.strip() if len(group) > 1 else ""
            if first.tag == "h1" and not slides and not intro:
                title = heading
                continue
            if first.tag == "h2":
                slides.append(Slide(heading, slide_anchor(heading)))
                blocks = slides[-1].blocks
                continue
        if first.type == "fence" and first.info.strip() == NOTES:
            if slides:
                slides[-1].notes.append(first.content)
            continue
        if first.type in ("fence", "code_block"):
            code = Code.from_info(first.info if first.type == "fence" else "", first.content)
            previous = blocks[-1] if blocks else None
            if code.lexer == "python" and isinstance(previous, Code) and previous.lexer == "rust":
                blocks[-1] = Pair(previous, code)
            else:
                blocks.append(code)
            continue
        start, end = first.map or (0, 0)
        prose = blocks[-1] if blocks else None
        if isinstance(prose, Prose):
            prose.tokens.extend(group)
            prose.source = "\n".join(lines[_prose_start(prose) : end])
        else:
            blocks.append(Prose(list(group), "\n".join(lines[start:end])))
    return Deck(deck_id, title, intro, slides)


def _prose_start(prose: Prose) -> int:
    return next((t.map[0] for t in prose.tokens if t.map), 0)


class DeckMissing(Exception):
    """A stage whose deck is missing or unreadable."""


def deck_path(stage: Stage) -> Path:
    return REPO_ROOT / stage.slides_file


def load_deck(stage: Stage) -> Deck:
    path = deck_path(stage)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise DeckMissing(
            f"Stage {stage.number:02d} ({stage.title}) has no slides yet: {stage.slides_file} is missing."
        ) from None
    except OSError as error:
        raise DeckMissing(f"Could not read {stage.slides_file}: {error.strerror or error}.") from None
    return parse_deck(stage.id, text)
