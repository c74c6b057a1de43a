"""The HTML export of the decks: one self-contained reveal.js presentation, offline.

Why reveal.js: it is the field's standard for HTML slides and already has what an instructor
needs (one slide per screen at a fixed 1280x720 canvas scaled to any projector, keyboard
navigation, speaker notes with a presenter view and timer on `s`, an overview on `o`/Esc, and
print-to-PDF with `?print-pdf`). Its three files (MIT, `grader/vendor/reveal/`) are inlined,
so the export is still one file that loads nothing from anywhere (its Content-Security-Policy
forbids it) and works from a USB stick. Rejected: our own scroll-page script (no presenter
view, no notes, no scaling), Marp and Slidev (a Node toolchain at export time).

Layout of the page: a title slide, then for each deck a title slide and one `<section>` per
`## ` slide. Code is highlighted by pygments at export time. Slides whose content is taller
than the canvas, and code wider than its column, are scaled down by a small script after
reveal.js lays them out (`fit`), so nothing scrolls on a projector.
"""

from __future__ import annotations

import base64
import html
import mimetypes
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from grader.deck import Code, Deck, Pair, Prose, _markdown
from grader.paths import REPO_ROOT

VENDOR = Path(__file__).parent / "vendor" / "reveal"
WIDTH, HEIGHT = 1280, 720  # reveal.js canvas: the slide's own pixels, scaled to the screen
HTML_CODE_STYLE = "friendly"  # pygments style (light background, readable on projectors)

# The speaker view opens a window that shows this page in frames (current and next slide).
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "frame-src 'self' file:; child-src 'self' file:"
)

_CSS = """
.reveal { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 30px; color: #1d1f21; }
.reveal-viewport { background: #fdfdfc; }
.reveal .slides { text-align: left; }
.reveal .slides section { height: 100%; padding: 0; }
.reveal h1, .reveal h2 { color: #b7410e; font-weight: 700; line-height: 1.15; margin: 0 0 .5em; }
.reveal h1 { font-size: 1.9em; } .reveal h2 { font-size: 1.35em; }
.reveal p, .reveal li { line-height: 1.35; } .reveal p { margin: .35em 0; }
.reveal ul, .reveal ol { margin: .3em 0 .3em 1.2em; }
.reveal a { color: #b7410e; }
.reveal :not(pre) > code { font-family: ui-monospace, Menlo, Consolas, "Liberation Mono", monospace;
  background: #f0f0ee; padding: .05em .25em; border-radius: 4px; font-size: .9em; }
.reveal figure.code { margin: .4em 0; min-width: 0; }
.reveal figure.code figcaption { color: #6a737d; font-size: .55em; font-style: italic; }
.reveal figure.code .highlight pre { margin: 0; width: 100%; box-shadow: none; font-size: .56em;
  line-height: 1.35; padding: .5em .7em; border: 1px solid #d8dee4; border-radius: 6px;
  white-space: pre; overflow: hidden; max-height: none; word-wrap: normal; }
.reveal .pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: .8em;
  align-items: start; }
.reveal table { border-collapse: collapse; font-size: .7em; }
.reveal th, .reveal td { border: 1px solid #d8dee4; padding: .2em .5em; }
.reveal blockquote { border-left: 4px solid #d8dee4; margin: .4em 0; padding-left: .8em; color: #555;
  width: auto; box-shadow: none; background: none; font-style: normal; }
.reveal .where { position: absolute; right: 0; top: -1.2em; color: #8a8f95; font-size: .45em; }
.reveal section.title-slide h1 { margin-top: 2em; }
.reveal section.deck-title .stage-line { margin-top: 3em; color: #8a8f95; font-size: .7em; }
.reveal section.deck-title .goal { font-size: .8em; color: #555; }
.reveal section.deck-title .agenda { columns: 2; font-size: .6em; margin-top: 1em; }
.reveal section.title-slide .decks { columns: 2; font-size: .7em; }
.reveal img.diagram { display: block; margin: .4em auto; width: 100%; height: 540px; object-fit: contain; }
.reveal .notes-hint { color: #8a8f95; font-size: .5em; }
"""

# Reveal is set up for presenting; `fit` shrinks what would not fit the 1280x720 canvas.
# `?selfcheck` (used by the project's browser test) records, after fitting, every slide or
# code block that still overflows in data-selfcheck on <html>.
_SCRIPT = """
(function () {
  function overflowing(el) { return el.scrollWidth > el.clientWidth + 1; }
  function fitCode(section) {
    section.querySelectorAll("pre").forEach(function (pre) {
      var size = parseFloat(getComputedStyle(pre).fontSize);
      for (var i = 0; i < 40 && overflowing(pre) && size > 9; i++) {
        size -= 0.5; pre.style.fontSize = size + "px";
      }
    });
  }
  function fitHeight(section) {
    var size = parseFloat(getComputedStyle(section).fontSize);
    for (var i = 0; i < 40 && section.scrollHeight > HEIGHT + 1 && size > 14; i++) {
      size -= 1; section.style.fontSize = size + "px"; fitCode(section);
    }
  }
  var HEIGHT = %(height)d;
  function fit(section) {
    if (section.dataset.fitted) { return; }
    fitCode(section); fitHeight(section); section.dataset.fitted = "1";
  }
  function fitAll() {
    Reveal.getSlides().forEach(function (section) {
      var shown = section.style.display;
      section.style.display = "block";
      fit(section);
      section.style.display = shown;
    });
  }
  function selfcheck() {
    var problems = [];
    Reveal.getSlides().forEach(function (section) {
      var shown = section.style.display;
      section.style.display = "block";
      var name = section.id || "(untitled)";
      if (section.scrollHeight > HEIGHT + 1) {
        problems.push(name + ": " + section.scrollHeight + "px tall");
      }
      section.querySelectorAll("pre").forEach(function (pre) {
        if (overflowing(pre)) {
          problems.push(name + ": code " + pre.scrollWidth + "px wide in " + pre.clientWidth);
        }
      });
      section.querySelectorAll("aside.notes").forEach(function (aside) {
        if (aside.offsetParent !== null) { problems.push(name + ": speaker notes visible"); }
      });
      section.style.display = shown;
    });
    var root = document.documentElement;
    root.setAttribute("data-slides", String(Reveal.getTotalSlides()));
    root.setAttribute("data-notes-plugin", Reveal.hasPlugin("notes") ? "yes" : "no");
    root.setAttribute("data-selfcheck", problems.length ? problems.join(" | ") : "ok");
  }
  Reveal.initialize({
    width: %(width)d, height: %(height)d, margin: 0.04, center: false, hash: true,
    slideNumber: "c/t", showSlideNumber: "speaker", transition: "none", controls: true,
    progress: true, viewDistance: 3, overview: true, pdfSeparateFragments: false,
    plugins: [RevealNotes]
  }).then(function () {
    fitAll();
    Reveal.layout();
    document.documentElement.setAttribute("data-navigation", "ready");
    if (/[?&]selfcheck\\b/.test(location.search)) { selfcheck(); }
  });
})();
"""


@cache
def _vendor(name: str) -> str:
    return (VENDOR / name).read_text(encoding="utf-8")


def _embed_image(renderer, tokens, idx, options, env):
    """Local images (slides/diagrams/*.svg) are embedded; nothing is loaded from the network."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = html.escape(renderer.renderInlineAsText(token.children or [], options, env))
    path = (REPO_ROOT / "slides" / src) if "://" not in src and not src.startswith("data:") else None
    if path is not None and path.is_file():
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'<img class="diagram" src="data:{kind};base64,{data}" alt="{alt}">'
    return f'<a href="{html.escape(src)}">[image: {alt or html.escape(src)}]</a>'


class HtmlWriter:
    """Markdown, code and notes of the parsed decks (grader.slides) as reveal.js sections."""

    def __init__(self) -> None:
        self.md = _markdown()
        self.md.add_render_rule("image", _embed_image)  # markdown-it binds it to its renderer
        self.formatter = HtmlFormatter(style=HTML_CODE_STYLE, cssclass="highlight")
        self.ids: set[str] = set()

    def unique_id(self, wanted: str, deck_id: str) -> str:
        """The slide's own anchor; qualified by its deck if an earlier deck took it."""
        wanted = wanted or "slide"
        candidate = wanted if wanted not in self.ids else f"{deck_id}-{wanted}"
        number = 2
        while candidate in self.ids:
            candidate, number = f"{deck_id}-{wanted}-{number}", number + 1
        self.ids.add(candidate)
        return candidate

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

    def blocks(self, blocks: Sequence[Code | Pair | Prose]) -> str:
        out = []
        for block in blocks:
            if isinstance(block, Prose):
                out.append(self.md.renderer.render(block.tokens, self.md.options, {}))
            elif isinstance(block, Pair):
                out.append(f'<div class="pair">\n{self.code(block.rust)}{self.code(block.python)}</div>\n')
            else:
                out.append(self.code(block))
        return "".join(out)

    def deck_header(self, deck: Deck) -> str:
        """"Stage 03 · 45 min" and the stage's goal, from the catalogue."""
        from grader.catalogue import find_stage

        stage = find_stage(deck.id)
        if stage is None:
            return ""
        return (f'<p class="stage-line">Stage {stage.number:02d} \u00b7 {stage.minutes} min</p>\n'
                f'<p class="goal">{self.inline(stage.goal)}</p>\n')

    def notes(self, notes: Sequence[str]) -> str:
        if not notes:
            return ""
        return f'<aside class="notes">{"".join(self.md.render(n) for n in notes)}</aside>\n'

    def document(self, decks: Sequence[Deck], title: str) -> str:
        contents: list[str] = []
        sections: list[str] = []
        for deck in decks:
            deck_anchor = self.unique_id(f"deck-{deck.id}", deck.id)
            deck_title = self.inline(deck.title)
            contents.append(f'<li><a href="#/{deck_anchor}">{deck_title}</a></li>')
            slides = deck.slides
            sections.append(
                f'<section class="deck-title" id="{deck_anchor}" data-deck="{deck.id}">\n'
                f"{self.deck_header(deck)}<h1>{deck_title}</h1>\n{self.blocks(deck.intro)}"
                f'<ol class="agenda">{"".join(f"<li>{self.inline(s.title)}</li>" for s in slides)}</ol>\n'
                "</section>\n"
            )
            for number, slide in enumerate(slides, 1):
                anchor = self.unique_id(slide.anchor, deck.id)
                sections.append(
                    f'<section class="slide" id="{anchor}" data-deck="{deck.id}">\n'
                    f'<div class="where">{html.escape(deck.id)} \u00b7 {number}/{len(slides)}</div>\n'
                    f"<h2>{self.inline(slide.title)}</h2>\n{self.blocks(slide.blocks)}"
                    f"{self.notes(slide.notes)}</section>\n"
                )
        title_slide = (
            f'<section class="title-slide" id="title">\n<h1>{html.escape(title)}</h1>\n'
            '<p class="notes-hint">\u2192 next \u00b7 s speaker view \u00b7 o overview \u00b7 '
            "f full screen \u00b7 ?print-pdf then print for a handout</p>\n"
            f'<ol class="decks">{"".join(contents)}</ol>\n</section>\n'
        )
        css = _vendor("reveal.css") + _CSS + self.formatter.get_style_defs(".highlight")
        script = _SCRIPT % {"width": WIDTH, "height": HEIGHT}
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
            f'<div class="reveal"><div class="slides">\n{title_slide}{"".join(sections)}</div></div>\n'
            f"<script>{_vendor('reveal.js')}</script>\n<script>{_vendor('notes.js')}</script>\n"
            f"<script>{script}</script>\n</body>\n</html>\n"
        )


def render_html(decks: Sequence[Deck], title: str) -> str:
    """The reveal.js presentation of `decks`, as one self-contained HTML document."""
    return HtmlWriter().document(decks, title)
