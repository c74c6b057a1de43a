"""Everything `grade` shows on screen (rich); nothing here decides a verdict."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.catalogue import STAGES, WORKSHOP, find_hint
from grader.model import Hint, Stage
from grader.paths import REPO_ROOT
from grader.results import StageResult, TestResult

STATUS_STYLE = {
    "passed": ("passed", "green"),
    "failed": ("current", "bold red"),
    "locked": ("locked", "dim"),
    "not_run": ("not run", "dim"),
}


def humanize(test_name: str) -> str:
    """`test_flag_waits_then_is_woken[3]` -> `flag waits then is woken [3]`."""
    name, _, params = test_name.partition("[")
    words = name.removeprefix("test_").replace("_", " ")
    return f"{words} [{params}" if params else words


def progress_table(stages: Sequence[Stage], results: dict[str, StageResult]) -> Table:
    table = Table(title=WORKSHOP.title, title_style="bold", expand=False)
    # On a narrow terminal the stage title wraps; the status and counts never get cut.
    table.add_column("#", justify="right", style="bold", no_wrap=True)
    table.add_column("Stage")
    table.add_column("Time", justify="right", style="dim", no_wrap=True)
    table.add_column("Status", no_wrap=True, min_width=len("not run"))
    table.add_column("Tests", justify="right", no_wrap=True)
    for stage in stages:
        result = results.get(stage.id)
        status = result.status if result else "locked"
        label, style = STATUS_STYLE[status]
        tests = ""
        if result and result.tests and status in ("passed", "failed"):
            passed = sum(t.status == "passed" for t in result.tests)
            tests = f"{passed}/{len(result.tests)}"
        table.add_row(
            f"{stage.number:02d}",
            stage.title,
            f"{stage.minutes} min",
            Text(label, style=style),
            tests,
        )
    return table


def _where(test: TestResult) -> Text | None:
    loc = test.location
    if not loc or not loc.get("file"):
        return None
    text = Text("  at ", style="dim")
    text.append(f"{loc['file']}", style="bold")
    if loc.get("line"):
        text.append(f", line {loc['line']}", style="bold")
    if loc.get("function"):
        text.append(f", in {loc['function']}()", style="dim")
    if loc.get("code"):
        text.append(f"\n      {loc['code']}", style="yellow")
        if loc.get("column"):
            text.append("\n      " + " " * (int(loc["column"]) - 1) + "^", style="red")
    return text


def _section(title: str, body: str | Text) -> Group:
    return Group(
        Text(title, style="bold cyan"), body if isinstance(body, Text) else Text(body), Text("")
    )


def deck_of(stage: Stage, hint: Hint) -> str:
    """The deck a hint's slide is in: the stage's own, or the setup deck for common hints."""
    return stage.slides_file if stage.hint(hint.id) else STAGES[0].slides_file


TITLE_WIDTH = 72  # a panel title fits an 80-column terminal with its border and padding
HINT_LEVELS = ("Where to look", "Why it matters", "In Rust")


def fit_title(text: str, width: int = TITLE_WIDTH) -> str:
    """`text`, cut at a word with an ellipsis if longer than `width` (rich would cut mid-word)."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(" \u2014-\u00b7:,")
    return cut + "\u2026"


def failure_panel(stage: Stage, result: StageResult, hint_command: str | None = None) -> Panel:
    """The one panel for the first failure: what happened, where, and the first question.

    The rest of the hint comes one level at a time (`hint_levels`), so nothing here is
    repeated there. `hint_command` is how to ask for it: `grade hint N`, or `[h]` in watch.
    """
    test = result.first_failure
    assert test is not None
    hint = find_hint(stage, test.hint or "") if test.hint else None
    happened = [Text(test.message)]
    where = _where(test)
    if where is not None:
        happened.append(where)
    parts: list[Group | Text] = [
        Text.assemble(("Test: ", "dim"), humanize(test.name)),
        Text(""),
        _section("What happened", Text("\n").join(happened)),
    ]
    if test.output:
        parts.append(_section("Your output (this test's prints)", Text(test.output, style="dim")))
    if hint is not None:
        parts.append(_section("First question", hint.check))
    ask = hint_command or f"grade hint {stage.number}"
    more = f"{ask}: {HINT_LEVELS[0]}" if hint is not None else "fix, save, grade"
    name = hint.title if hint else "failed"
    if hint is not None and hint.id == "not_started" and not _first_todo(test.location):
        name = "Keep going: the next todo()"  # "not started" only at the file's first todo()
    title = fit_title(f"Stage {stage.number:02d} \u2014 {name}")
    return Panel(
        Group(*parts),
        title=title,
        title_align="left",
        border_style="red",
        subtitle=Text(more),  # Text: `[h]` is a key, not rich markup
        subtitle_align="right",
    )


_TODO_CALL = re.compile(r"^\s*todo\(")


def _first_todo(location: dict[str, Any] | None) -> bool:
    """Is the todo() the test hit the first one of its file (the attendee has not started)?"""
    if not location or not location.get("file") or not location.get("line"):
        return True
    path = Path(location["file"])
    path = path if path.is_absolute() else REPO_ROOT / path  # the child's paths: from the root
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return True
    first = next((number for number, line in enumerate(lines, 1) if _TODO_CALL.match(line)), None)
    return first is None or first == location["line"]


def where_you_are(stage: Stage, target_dir: Path) -> Text:
    """"Stages 00-02 pass. Now: stage 03 · An async channel: edit exercises/03_channel/channel.py"."""
    files = ", ".join(_display(target_dir / stage.id / name) for name in stage.files)
    done = ("Stage 00 passes. " if stage.number == 1 else
            f"Stages 00\u2013{stage.number - 1:02d} pass. " if stage.number > 1 else "")
    return Text.assemble((done, "green"), ("Now: ", "bold"),
                         (f"stage {stage.number:02d} \u00b7 {stage.title}", "bold"),
                         f" ({stage.minutes} min): edit {files}")


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def hint_levels(stage: Stage, hint: Hint, test: TestResult) -> list[tuple[str, Text]]:
    """The ladder after the panel: where to look, then the concept and slide, then Rust."""
    where = _where(test)
    if hint.pointer:
        pointer = Text(hint.pointer)
    elif where is not None:
        pointer = Text("Start from the line where the test saw it, below, and read the docstring "
                       "of the method it is in: which promise of that docstring does this break?")
    else:
        pointer = Text("Take the method the test's message names and read its docstring line by "
                       "line beside your code: which promise does this symptom break, and on which "
                       "path through your method?")
    if where is not None:
        pointer.append("\n")
        pointer.append_text(where)
    concept = Text(hint.why)
    concept.append("\n")
    concept.append_text(Text.assemble(("Reread: ", "bold cyan"), f"\u201c{hint.slide}\u201d",
                                      (f"  in {deck_of(stage, hint)}", "dim")))
    return [(HINT_LEVELS[0], pointer), (HINT_LEVELS[1], concept), (HINT_LEVELS[2], Text(hint.rust))]


def hint_panel(stage: Stage, hint: Hint, level: int, test: TestResult, ask: str = "grade hint") -> Panel:
    """Level `level` (1-based) of the ladder, alone: each `grade hint` adds one step."""
    levels = hint_levels(stage, hint, test)
    title, body = levels[level - 1]
    again = "Press [h] again" if ask.startswith("press") else f"Run `{ask}` again"
    more = (f"{again} for: {levels[level][0]}." if level < len(levels)
            else "That is every level of this hint. Still stuck? Ask your neighbour or the instructor.")
    parts: list[Group | Text] = [
        Text.assemble(("Failing test: ", "dim"), humanize(test.name)),
        Text(""),
        _section(title, body),
        Text(more, style="dim"),
    ]
    return Panel(
        Group(*parts),
        title=fit_title(f"Hint {level}/{len(levels)} \u00b7 {hint.title}"),
        title_align="left",
        border_style="yellow",
    )


def all_done(console: Console, stages: Sequence[Stage]) -> None:
    """The closing panel; its message is the catalogue's (WORKSHOP.all_done)."""
    console.print(
        Panel(
            Text.assemble(("Every stage passes. ", "bold green"), WORKSHOP.all_done_text(stages)),
            title="All done",
            border_style="green",
        )
    )


def stage_list(console: Console, stages: Sequence[Stage], results: dict[str, StageResult]) -> None:
    table = progress_table(stages, results)
    console.print(table)
    for stage in stages:
        console.print(Text.assemble((f"{stage.number:02d} ", "bold"), (stage.goal, "dim")))
