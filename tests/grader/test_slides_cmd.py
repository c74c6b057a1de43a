"""`grade slides [N]` in the terminal, and `grade slides --html PATH`: one offline HTML deck.

The last test opens the export in a real headless Chromium where one is installed (Debian:
`apt-get install chromium`) and checks the DOM it rendered; it is skipped elsewhere.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from grader.catalogue import STAGES
from grader.model import Stage, slide_anchor
from grader.paths import REPO_ROOT
from grader.progress import Progress
from grader.session import Session
from grader.slides import Code, Pair, deck_renderables, parse_deck, render_html, show_slides, slide_step

FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def flat(text: str) -> str:
    return " ".join(text.split())


def deck_text(stage: Stage) -> str:
    return (REPO_ROOT / stage.slides_file).read_text(encoding="utf-8")


def headings(stage: Stage) -> list[str]:
    """The `## ` slide titles of a deck, read straight from its Markdown."""
    return re.findall(r"^## (.+?)\s*$", deck_text(stage), re.MULTILINE)


def code_lines(stage: Stage) -> list[str]:
    """One short, distinctive line of each fenced block of a deck."""
    lines = []
    for _info, body in FENCE.findall(deck_text(stage)):
        line = next((x.strip() for x in body.splitlines() if 8 <= len(x.strip()) <= 60), None)
        if line:
            lines.append(line)
    return lines


def session_for(console: Console, tmp_path: Path) -> Session:
    return Session("exercises", REPO_ROOT / "exercises", console, Progress(tmp_path / "p.json"), True, 10.0)


# --- the terminal ------------------------------------------------------------------------
def test_a_deck_in_the_terminal_has_its_slides_and_code(grade) -> None:  # type: ignore[no-untyped-def]
    stage = STAGES[1]
    run = grade("slides", str(stage.number))
    assert run.code == 0, run.output
    text = flat(run.stdout)
    for title in headings(stage):
        assert flat(title.replace("`", "")) in text, title
    for line in code_lines(stage):
        assert flat(line) in text, line
    assert "Rust" in text and "Python" in text  # the blocks' labels
    assert "\x1b[" not in run.stdout  # piped: plain text, no pager


def test_the_default_deck_is_the_current_stage(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("slides")  # nothing passed yet: stage 00
    assert run.code == 0, run.output
    assert flat(parse_deck(STAGES[0].id, deck_text(STAGES[0])).title) in flat(run.stdout)


@pytest.mark.parametrize("stage", STAGES, ids=[s.id for s in STAGES])
def test_every_deck_renders_at_80_columns_without_colour(stage: Stage) -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, no_color=True, color_system=None)
    console.print(*deck_renderables(parse_deck(stage.id, deck_text(stage)), console.width))
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "\x1b[" not in out.getvalue()
    for title in headings(stage):
        assert flat(title.replace("`", "")) in flat(out.getvalue()), title


def test_a_missing_deck_is_a_clear_message(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, no_color=True)
    ghost = Stage(id="98_ghost", title="A stage without slides", minutes=1, files=("ghost.py",), goal="-")
    assert show_slides(session_for(console, tmp_path), ghost, None) == 1  # type: ignore[arg-type]
    assert "slides/98_ghost.md is missing" in flat(out.getvalue())


SAMPLE = """# Sample deck

Intro text.

## First slide

Words.

```rust,ignore
let x = 1; // rust side
```

```python
x = 1  # python side
```

## Second `slide`

```rust,compile_fail
let y: u8 = 300;
```

Between.

```python
alone = True
```
"""


def test_mdbook_fence_tags_map_to_rust_and_pairs_are_found() -> None:
    deck = parse_deck("99_sample", SAMPLE)
    assert deck.title == "Sample deck"
    assert [s.title for s in deck.slides] == ["First slide", "Second `slide`"]
    assert [s.anchor for s in deck.slides] == ["first-slide", "second-slide"]
    pair = next(b for b in deck.slides[0].blocks if isinstance(b, Pair))
    assert pair.rust.lexer == "rust" and pair.rust.label == "Rust \u00b7 fragment"
    assert pair.python.lexer == "python"
    second = [b for b in deck.slides[1].blocks if isinstance(b, (Code, Pair))]
    assert [type(b) for b in second] == [Code, Code]  # prose in between: not a pair
    assert isinstance(second[0], Code) and "on purpose" in second[0].label


def test_a_pair_is_side_by_side_on_a_wide_terminal_only() -> None:
    deck = parse_deck("99_sample", SAMPLE)
    for width, together in ((170, True), (80, False)):
        out = io.StringIO()
        Console(file=out, width=width, no_color=True).print(*deck_renderables(deck, width))
        same_line = any("rust side" in x and "python side" in x for x in out.getvalue().splitlines())
        assert same_line is together, width


def test_html_of_the_sample_has_pairs_highlighting_and_anchors() -> None:
    page = render_html([parse_deck("99_sample", SAMPLE)])
    assert '<section class="slide" id="first-slide"' in page
    assert '<section class="slide" id="second-slide"' in page
    pair = page.index('<div class="pair">')
    assert page.index('class="code rust"', pair) < page.index('class="code python"', pair)
    assert re.search(r'<span class="kd?">let</span>', page)  # pygments highlighted the rust,ignore block
    assert "<code>slide</code>" in page


def test_speaker_notes_go_to_the_presenter_only() -> None:
    deck = parse_deck("99_sample", SAMPLE + "\n```notes\nAsk the room *why* first.\n```\n")
    assert deck.slides[-1].notes == ["Ask the room *why* first.\n"]
    assert not any("Ask the room" in getattr(b, "text", "") for b in deck.slides[-1].blocks)
    page = render_html([deck])
    assert '<aside class="notes"><p>Ask the room <em>why</em> first.</p>\n</aside>' in page
    out = io.StringIO()
    Console(file=out, width=100, no_color=True).print(*deck_renderables(deck, 100))
    assert "Ask the room" not in out.getvalue()  # the terminal view is the audience's


def test_the_terminal_pager_reads_arrows_and_windows_codes_as_moves() -> None:
    assert [slide_step(k) for k in ("\r", " ", "\x1b[C", "\xe0M", "\x1b[6~")] == [1] * 5
    assert [slide_step(k) for k in ("p", "\x1b[D", "\xe0K", "\x00H", "\x1b[5~")] == [-1] * 5
    assert [slide_step(k) for k in ("q", "\x1b")] == [0, 0]
    assert slide_step("\x1b[1;5C") is None and slide_step("x") is None  # ignored, never "quit"


# --- the HTML export ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    import os
    import sys

    folder = tmp_path_factory.mktemp("html")
    path = folder / "deck" / "all.html"  # a folder that does not exist yet
    env = {**os.environ, "GRADE_PROGRESS": str(folder / "progress.json"), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "slides", "--html", str(path)],
        cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return path, path.read_text(encoding="utf-8")


def sections(page: str, deck_id: str) -> list[tuple[str, str]]:
    """(id, h2 text) of every slide section of one deck in the exported page (or its DOM)."""
    found = re.findall(
        rf'<section class="slide[^"]*" id="([^"]+)" data-deck="{re.escape(deck_id)}"[^>]*>.*?<h2>(.*?)</h2>',
        page,
        re.DOTALL,
    )
    return [(anchor, re.sub(r"<[^>]+>", "", title)) for anchor, title in found]


def markup(page: str) -> str:
    """The page without the bodies of its inline scripts (reveal.js's own code)."""
    return re.sub(r"<script>.*?</script>", "<script></script>", page, flags=re.DOTALL)


def test_html_has_every_deck_and_every_slide(exported: tuple[Path, str]) -> None:
    _, page = exported
    for stage in STAGES:
        deck = parse_deck(stage.id, deck_text(stage))
        assert f'<section class="deck-title" id="deck-{stage.id}" data-deck="{stage.id}">' in page
        assert f'<a href="#/deck-{stage.id}">' in page  # reachable from the title slide
        found = sections(page, stage.id)
        assert [title for _, title in found] == [t.replace("`", "") for t in headings(stage)]
        for (anchor, _), title in zip(found, headings(stage), strict=True):
            assert anchor in (slide_anchor(title), f"{stage.id}-{slide_anchor(title)}")
        assert deck.title.replace("`", "") in page
    ids = re.findall(r'\sid="([^"]+)"', markup(page))
    assert len(ids) == len(set(ids)), "every anchor is unique"


def test_html_is_self_contained(exported: tuple[Path, str]) -> None:
    _, page = exported
    lowered = markup(page).lower()
    assert not re.search(r"<script[^>]*\bsrc\s*=", lowered)
    assert "<link" not in lowered and "@import" not in page.lower()
    assert not re.search(r"url\(\s*['\"]?(?!data:)", lowered)
    media = r"<(img|iframe|object|embed|video|audio|source)[^>]*\bsrc\s*=\s*(?!['\"]?data:)"
    assert not re.search(media, lowered)
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:)?//""", lowered)
    assert "default-src 'none'" in page  # the page itself forbids loading anything
    assert "<style>" in page and "<script>" in page  # inline
    assert "reveal.js" in page and "MIT licensed" in page  # the vendored library, licence kept
    assert 'src="data:image/svg+xml;base64,' in page  # the diagrams, embedded


def test_html_code_is_highlighted_and_paired(exported: tuple[Path, str]) -> None:
    _, page = exported
    assert page.count('<div class="highlight">') >= sum(len(code_lines(s)) for s in STAGES)
    assert re.search(r'<span class="(k|kd|kt)">(fn|pub|let|impl|struct)</span>', page)  # Rust
    assert re.search(r'<span class="k">(def|class|return)</span>', page)  # Python
    assert ".highlight .k " in page  # pygments' CSS, inline
    pairs = re.findall(r'<div class="pair">\s*<figure class="code (\w+)">.*?<figure class="code (\w+)">',
                       page, re.DOTALL)
    assert pairs and all(p == ("rust", "python") for p in pairs)


def test_one_deck_and_a_folder_as_path(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = grade("slides", "1", "--html", str(tmp_path))
    assert run.code == 0, run.output
    page = (tmp_path / "slides.html").read_text(encoding="utf-8")
    assert f'id="deck-{STAGES[1].id}"' in page and f'id="deck-{STAGES[0].id}"' not in page


def test_an_unwritable_path_is_a_clear_message(grade, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    run = grade("slides", "--html", str(blocker / "slides.html"))
    assert run.code == 2
    assert "could not write" in run.output and "Traceback" not in run.output


# --- a real browser -----------------------------------------------------------------------
def find_browser() -> str | None:
    names = ("chromium", "chromium-browser", "google-chrome")
    return next((found for name in names if (found := shutil.which(name))), None)


def test_a_headless_browser_renders_the_export(exported: tuple[Path, str], tmp_path: Path) -> None:
    browser = find_browser()
    if browser is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium): the browser check is skipped")
    path, _ = exported
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,720", "--virtual-time-budget=10000", "--dump-dom", path.as_uri() + "?selfcheck",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.skip(f"{browser} did not finish within 90 s in this environment")
    if done.returncode != 0 or "<html" not in done.stdout:
        pytest.skip(f"{browser} could not run here (exit {done.returncode}): {done.stderr[-300:]}")
    dom = done.stdout
    root = re.search(r"<html[^>]*>", dom)
    assert root is not None
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', root.group(0)))
    assert attributes.get("data-navigation") == "ready"  # reveal.js ran (allowed by the page's CSP)
    assert attributes.get("data-notes-plugin") == "yes"  # speaker notes and the presenter view (`s`)
    # Every slide fits 1280x720 and no code block is cut or scrolls; notes stay hidden.
    assert attributes.get("data-selfcheck") == "ok", attributes.get("data-selfcheck")
    total = sum(len(headings(s)) + 1 for s in STAGES) + 1  # title, and each deck's title slide
    assert attributes.get("data-slides") == str(total)
    for stage in STAGES:
        assert [t for _, t in sections(dom, stage.id)] == [t.replace("`", "") for t in headings(stage)]
