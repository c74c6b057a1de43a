"""`grade slides [N]`: a stage's deck in the terminal; `--html PATH`: every deck, one offline file.

The deck format is grader.deck's. In a terminal the deck is shown one slide at a time
(Enter/space/n next, p previous, q quit); piped, it is printed whole. The HTML export
(grader.deck_html) is a reveal.js presentation in one self-contained file.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from grader.catalogue import STAGES
from grader.deck import Block, Code, Deck, DeckMissing, Pair, Prose, load_deck, parse_deck
from grader.keys import KeySource, key_source, read_key
from grader.model import Stage
from grader.progression import Progression
from grader.session import EXIT_FAILED, EXIT_PASSED, EXIT_USAGE, Session

__all__ = ["Code", "Pair", "deck_renderables", "parse_deck", "render_html", "show_slides"]

WIDE = 160  # columns from which a Rust/Python pair (or yours/reference) goes side by side
CODE_THEME = "monokai"  # terminal, like rich's Markdown


# --- the terminal ----------------------------------------------------------------------------
def code_renderable(code: Code, *, line_numbers: bool = False) -> RenderableType:
    syntax = Syntax(
        code.text, code.lexer, theme=CODE_THEME, word_wrap=True, padding=(0, 1), line_numbers=line_numbers
    )
    if not code.label:
        return syntax
    return Group(Text(code.label, style="dim italic"), syntax)


def _pair_renderable(pair: Pair, width: int) -> RenderableType:
    if width < WIDE:
        return Group(code_renderable(pair.rust), Text(""), code_renderable(pair.python))
    grid = Table.grid(expand=True, padding=(0, 2))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(code_renderable(pair.rust), code_renderable(pair.python))
    return grid


def _blocks_renderables(blocks: Sequence[Block], width: int) -> list[RenderableType]:
    out: list[RenderableType] = []
    for block in blocks:
        if isinstance(block, Prose):
            out.append(Markdown(block.source, code_theme=CODE_THEME))
        elif isinstance(block, Pair):
            out.append(_pair_renderable(block, width))
        else:
            out.append(code_renderable(block))
        out.append(Text(""))
    return out


def deck_pages(deck: Deck, width: int) -> list[list[RenderableType]]:
    """One page per slide, after a first page with the deck's title and what it covers."""
    agenda = "\n".join(f"{n}. {s.title}" for n, s in enumerate(deck.slides, 1))
    first: list[RenderableType] = [Markdown(f"# {deck.title}"), Text("")]
    first += _blocks_renderables(deck.intro, width)
    first.append(Markdown(agenda))
    pages = [first]
    for number, slide in enumerate(deck.slides, 1):
        page: list[RenderableType] = [Rule(f"{number}/{len(deck.slides)}", style="dim", align="right")]
        page += [Markdown(f"## {slide.title}"), Text("")]
        page += _blocks_renderables(slide.blocks, width)
        pages.append(page)
    return pages


def deck_renderables(deck: Deck, width: int) -> list[RenderableType]:
    """The whole deck, page after page (what is printed when the output is not a terminal)."""
    return [item for page in deck_pages(deck, width) for item in page]


# Keys of the slide pager; escape sequences (arrows, PgUp/PgDn) arrive as several characters
# on POSIX terminals and as a two-character code ('\xe0' or '\x00', then one) on Windows.
_NEXT_KEYS = {"\r", "\n", " ", "n", "j", "l", "\x1b[C", "\x1b[B", "\x1b[6~", "\xe0M", "\xe0P", "\xe0Q",
              "\x00M", "\x00P", "\x00Q"}
_PREVIOUS_KEYS = {"p", "b", "k", "h", "\x1b[D", "\x1b[A", "\x1b[5~", "\xe0K", "\xe0H", "\xe0I", "\x00K",
                  "\x00H", "\x00I"}
_QUIT_KEYS = {"q", "Q", "\x1b", "\x03"}


def slide_step(key: str) -> int | None:
    """+1 next slide, -1 previous, 0 quit, None ignore: the pager's reading of one key."""
    if key in _NEXT_KEYS:
        return 1
    if key in _PREVIOUS_KEYS:
        return -1
    if key in _QUIT_KEYS:
        return 0
    return None


def page_through(console: Console, pages: Sequence[Sequence[RenderableType]], keys: KeySource) -> None:
    """Show one slide at a time; Enter/space/→ next, ←/p previous, q quit."""
    index = 0
    while True:
        console.clear()
        console.print(*pages[index])
        console.print(Text(f"{index}/{len(pages) - 1}  Enter/space/\u2192 next \u00b7 \u2190/p previous "
                           "\u00b7 q quit", style="dim"))
        key = None
        while key is None:
            key = read_key(keys, 3600.0)
        step = slide_step(key)
        if step == 0 or (step == 1 and index == len(pages) - 1):
            return
        if step is not None:
            index = min(max(index + step, 0), len(pages) - 1)


def _less_shows_colours(flags: str) -> bool:
    """Does `$LESS` already pass escape codes through (-R, -r, --raw-control-chars)?"""
    for word in flags.split():
        if word.lower() == "--raw-control-chars":
            return True
        if not word.startswith("--") and ("R" in word or "r" in word):
            return True
    return False


def show(console: Console, renderables: Sequence[RenderableType]) -> None:
    """Paged in a terminal (colours kept where the pager shows them); printed otherwise."""
    if console.is_terminal:
        # The pager is `less` unless $PAGER says otherwise: it shows colours with -R only.
        less = os.environ.get("LESS", "")
        if not _less_shows_colours(less):
            os.environ["LESS"] = f"{less} -R".strip()
        # Windows' `more` shows escape codes as text: page without styles there.
        with console.pager(styles=os.name != "nt"):
            console.print(*renderables)
    else:
        console.print(*renderables)



DOCUMENT_TITLE = "Rediscovering the Future: a deep dive into async Rust"


def render_html(decks: Sequence[Deck], title: str = DOCUMENT_TITLE) -> str:
    from grader import deck_html  # pygments and the vendored reveal.js: only when exporting

    return deck_html.render_html(decks, title)


def _output_file(raw: str) -> Path:
    path = Path(raw).expanduser()
    return path / "slides.html" if path.is_dir() else path


def export_html(session: Session, stages: Sequence[Stage], raw_path: str) -> int:
    console = session.console
    decks: list[Deck] = []
    for stage in stages:
        try:
            decks.append(load_deck(stage))
        except DeckMissing as missing:
            console.print(Text(f"{missing} Left out of the export.", style="yellow"))
    if not decks:
        console.print(Text("No deck to export.", style="bold red"))
        return EXIT_FAILED
    path = _output_file(raw_path)
    title = DOCUMENT_TITLE if len(stages) > 1 else f"{decks[0].title} \u2014 {DOCUMENT_TITLE}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_html(decks, title), encoding="utf-8")
    except OSError as error:
        console.print(Text(f"grade: could not write {path}: {error.strerror or error}", style="bold red"))
        return EXIT_USAGE
    slides = sum(len(d.slides) for d in decks)
    console.print(
        Text.assemble(
            ("Wrote ", "green"),
            (str(path), "bold"),
            f": {len(decks)} deck{'s' * (len(decks) != 1)}, {slides} slides, one offline file. "
            "Open it in any browser; \u2190 \u2192 move between slides.",
        )
    )
    return EXIT_PASSED if len(decks) == len(stages) else EXIT_FAILED


# --- the command ------------------------------------------------------------------------------
def show_slides(session: Session, stage: Stage | None, args: argparse.Namespace) -> int:
    """`grade slides [N]`: the deck of N (default: the current stage); `--html PATH` exports."""
    html_path = getattr(args, "html", None)
    if html_path:
        return export_html(session, [stage] if stage else list(STAGES), html_path)
    console = session.console
    stage = stage or Progression(session).current_or_last()
    try:
        deck = load_deck(stage)
    except DeckMissing as missing:
        console.print(Text(str(missing), style="bold red"))
        return EXIT_FAILED
    if console.is_terminal and sys.stdin.isatty():
        with key_source() as keys:
            page_through(console, deck_pages(deck, console.width), keys)
    else:
        show(console, deck_renderables(deck, console.width))
    return EXIT_PASSED
