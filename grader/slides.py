"""`grade slides [N]`: a stage's deck in the terminal; `--html PATH`: every deck, one offline file.

A deck is `slides/<stage id>.md`: `# title`, then one slide per `## ` heading. A ```rust block
immediately followed by a ```python block is a pair, shown side by side where there is room.
Fence tags follow mdBook (`rust,ignore`, `rust,compile_fail`); they are mapped to the lexer
`rust` for highlighting, and the flag becomes the block's label.

The HTML export is one self-contained file: CSS and script inline, code highlighted by pygments
at export time, no fonts, scripts or styles from anywhere else (a Content-Security-Policy in the
file forbids loading anything), so it works offline and from a USB stick.
"""

from __future__ import annotations

import argparse
import base64
import html
import mimetypes
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from grader.catalogue import STAGES
from grader.model import Stage, slide_anchor
from grader.paths import REPO_ROOT
from grader.session import EXIT_FAILED, EXIT_PASSED, EXIT_USAGE, Session

WIDE = 160  # columns from which a Rust/Python pair (or yours/reference) goes side by side
CODE_THEME = "monokai"  # terminal, like rich's Markdown
HTML_CODE_STYLE = "friendly"  # pygments style of the HTML export (light background)

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
        notes = [_FLAG_NOTES.get(flag, flag) for flag in self.flags]
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


def deck_renderables(deck: Deck, width: int) -> list[RenderableType]:
    out: list[RenderableType] = [Markdown(f"# {deck.title}"), Text("")]
    out += _blocks_renderables(deck.intro, width)
    for number, slide in enumerate(deck.slides, 1):
        out.append(Rule(f"{number}/{len(deck.slides)}", style="dim", align="right"))
        out.append(Markdown(f"## {slide.title}"))
        out.append(Text(""))
        out += _blocks_renderables(slide.blocks, width)
    return out


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


# --- the HTML export -------------------------------------------------------------------------
_CSS = """
:root { --fg: #1d1f21; --muted: #6a737d; --line: #d8dee4; --accent: #b7410e; --bg: #fdfdfc; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 18px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1400px; margin: 0 auto; padding: 1rem 2rem 4rem; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; }
:not(pre) > code { background: #f0f0ee; padding: .05em .3em; border-radius: 4px; font-size: .92em; }
nav#contents { border-bottom: 1px solid var(--line); padding-bottom: 1rem; }
nav#contents ol { padding-left: 1.4rem; }
nav#contents > ol > li { margin: .4rem 0; }
nav#contents li li { font-size: .9em; }
.deck { border-top: 3px solid var(--accent); margin-top: 3rem; }
.deck > header h1 { margin: 1.5rem 0 .5rem; }
.slide { min-height: 92vh; padding: 1.5rem 0 2rem; border-top: 1px solid var(--line);
  scroll-margin-top: 0; }
.slide h2 { margin-top: 0; color: var(--accent); }
.slide .where { float: right; color: var(--muted); font-size: .8em; }
.slide .where a { color: var(--muted); text-decoration: none; }
figure.code { margin: 1rem 0; min-width: 0; }
figure.code figcaption { color: var(--muted); font-size: .8em; font-style: italic; margin-bottom: .2rem; }
figure.code pre { margin: 0; padding: .8rem 1rem; overflow-x: auto; font-size: .85em; line-height: 1.4;
  border: 1px solid var(--line); border-radius: 6px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2rem; align-items: start; }
@media (max-width: 1000px) { .pair { grid-template-columns: 1fr; } }
table { border-collapse: collapse; } th, td { border: 1px solid var(--line); padding: .3rem .6rem; }
blockquote { border-left: 4px solid var(--line); margin-left: 0; padding-left: 1rem; color: var(--muted); }
footer { color: var(--muted); font-size: .8em; margin-top: 3rem; }
@media print { .slide { min-height: 0; page-break-before: always; }
  nav#contents { page-break-after: always; } }
"""

# Left/right arrows (and PageUp/PageDown, space) jump from slide to slide; `t` to the contents.
_SCRIPT = """
(function () {
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  function current() {
    var y = window.scrollY + 10, index = -1;
    slides.forEach(function (s, i) { if (s.offsetTop <= y) { index = i; } });
    return index;
  }
  function go(i) {
    if (i < 0) {
      document.getElementById("contents").scrollIntoView();
      history.replaceState(null, "", "#contents");
      return;
    }
    if (i >= slides.length) { return; }
    slides[i].scrollIntoView();
    history.replaceState(null, "", "#" + slides[i].id);
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var k = e.key;
    if (k === "ArrowRight" || k === "PageDown" || (k === " " && !e.shiftKey)) { go(current() + 1); }
    else if (k === "ArrowLeft" || k === "PageUp" || (k === " " && e.shiftKey)) { go(current() - 1); }
    else if (k === "t" || k === "Home") { go(-1); }
    else { return; }
    e.preventDefault();
  });
  document.documentElement.setAttribute("data-navigation", "ready");
})();
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


class _HtmlWriter:
    def __init__(self) -> None:
        self.md = _markdown()
        self.md.add_render_rule("image", self._image)
        self.formatter = HtmlFormatter(style=HTML_CODE_STYLE, cssclass="highlight")
        self.ids: set[str] = {"contents"}

    def unique_id(self, wanted: str, deck: Deck) -> str:
        """The slide's own anchor; qualified by its deck if an earlier deck took it."""
        wanted = wanted or "slide"
        candidate = wanted if wanted not in self.ids else f"{deck.id}-{wanted}"
        number = 2
        while candidate in self.ids:
            candidate, number = f"{deck.id}-{wanted}-{number}", number + 1
        self.ids.add(candidate)
        return candidate

    def _image(self, renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        """Local images are embedded; nothing is loaded from the network."""
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = html.escape(renderer.renderInlineAsText(token.children or [], options, env))
        path = (REPO_ROOT / "slides" / src) if "://" not in src and not src.startswith("data:") else None
        if path is not None and path.is_file():
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            return f'<img src="data:{kind};base64,{data}" alt="{alt}">'
        return f'<a href="{html.escape(src)}">[image: {alt or html.escape(src)}]</a>'

    def inline(self, text: str) -> str:
        return self.md.renderInline(text)

    def code(self, code: Code) -> str:
        try:
            lexer = get_lexer_by_name(code.lexer)
        except ClassNotFound:
            lexer = get_lexer_by_name("text")
        caption = f"<figcaption>{html.escape(code.label)}</figcaption>" if code.label else ""
        body = highlight(code.text + "\n", lexer, self.formatter)
        return f'<figure class="code {html.escape(code.lexer)}">{caption}{body}</figure>\n'

    def blocks(self, blocks: Sequence[Block]) -> str:
        out = []
        for block in blocks:
            if isinstance(block, Prose):
                out.append(self.md.renderer.render(block.tokens, self.md.options, {}))
            elif isinstance(block, Pair):
                out.append(f'<div class="pair">\n{self.code(block.rust)}{self.code(block.python)}</div>\n')
            else:
                out.append(self.code(block))
        return "".join(out)

    def document(self, decks: Sequence[Deck], title: str) -> str:
        contents: list[str] = []
        bodies: list[str] = []
        for deck in decks:
            deck_id = self.unique_id(f"deck-{deck.id}", deck)
            items: list[str] = []
            sections: list[str] = []
            for number, slide in enumerate(deck.slides, 1):
                anchor = self.unique_id(slide.anchor, deck)
                heading = self.inline(slide.title)
                items.append(f'<li><a href="#{anchor}">{heading}</a></li>')
                sections.append(
                    f'<section class="slide" id="{anchor}" data-deck="{deck.id}">\n'
                    f'<div class="where"><a href="#{deck_id}">{html.escape(deck.id)}</a> '
                    f"\u00b7 {number}/{len(deck.slides)}</div>\n"
                    f"<h2>{heading}</h2>\n{self.blocks(slide.blocks)}</section>\n"
                )
            deck_title = self.inline(deck.title)
            contents.append(f'<li><a href="#{deck_id}">{deck_title}</a>\n<ol>{"".join(items)}</ol></li>\n')
            bodies.append(
                f'<article class="deck" id="{deck_id}">\n<header><h1>{deck_title}</h1></header>\n'
                f"{self.blocks(deck.intro)}{''.join(sections)}</article>\n"
            )
        css = _CSS + self.formatter.get_style_defs(".highlight")
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n<main>\n"
            f'<nav id="contents">\n<h1>{html.escape(title)}</h1>\n'
            "<p>Keys: \u2192 next slide, \u2190 previous, t contents.</p>\n"
            f"<ol>\n{''.join(contents)}</ol>\n</nav>\n"
            f"{''.join(bodies)}"
            "<footer>Exported by <code>grade slides --html</code>; works offline.</footer>\n"
            f"</main>\n<script>{_SCRIPT}</script>\n</body>\n</html>\n"
        )


DOCUMENT_TITLE = "Rediscovering the Future: a deep dive into async Rust"


def render_html(decks: Sequence[Deck], title: str = DOCUMENT_TITLE) -> str:
    return _HtmlWriter().document(decks, title)


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
    stage = stage or session.current_stage() or STAGES[-1]
    try:
        deck = load_deck(stage)
    except DeckMissing as missing:
        console.print(Text(str(missing), style="bold red"))
        return EXIT_FAILED
    show(console, deck_renderables(deck, console.width))
    return EXIT_PASSED
