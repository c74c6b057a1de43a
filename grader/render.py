"""Everything `grade` shows on screen (rich); nothing here decides a verdict."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.catalogue import STAGES, find_hint
from grader.model import Hint, Stage
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
    table = Table(title="Rediscovering the Future", title_style="bold", expand=False)
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


def failure_panel(stage: Stage, result: StageResult) -> Panel:
    """The one panel for the first failure: what, why, what to check, Rust, slide."""
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
    if hint is not None:
        parts += [
            _section("Why it matters", hint.why),
            _section("What to check", hint.check),
            _section("In Rust", hint.rust),
        ]
        parts.append(
            Text.assemble(
                ("Reread: ", "bold cyan"),
                f"\u201c{hint.slide}\u201d",
                (f"  in {deck_of(stage, hint)}", "dim"),
            )
        )
    title = (
        f"Stage {stage.number:02d} \u00b7 {stage.title} \u2014 {hint.title if hint else 'failed'}"
    )
    return Panel(
        Group(*parts),
        title=title,
        title_align="left",
        border_style="red",
        subtitle=f"grade hint {stage.number} \u00b7 fix, save, grade",
        subtitle_align="right",
    )


def hint_panel(stage: Stage, hint: Hint, level: int, test: TestResult) -> Panel:
    levels = hint.levels()
    parts: list[Group | Text] = [
        Text.assemble(("Failing test: ", "dim"), humanize(test.name)),
        Text(""),
    ]
    for title, body in levels[:level]:
        parts.append(_section(title, body))
    more = (
        "Run `grade hint` again for the next level."
        if level < len(levels)
        else "That is every level of this hint."
    )
    parts.append(Text(more, style="dim"))
    return Panel(
        Group(*parts),
        title=f"Hint {level}/{len(levels)} \u00b7 {hint.title}",
        title_align="left",
        border_style="yellow",
    )


def all_done(console: Console, stages: Sequence[Stage]) -> None:
    total = sum(s.minutes for s in stages)
    console.print(
        Panel(
            Text.assemble(
                ("Every stage passes. ", "bold green"),
                f"You rebuilt async from the Future trait up to a runtime with timers: "
                f"{len(stages)} stages, about {total // 60} h {total % 60:02d} min of workshop. "
                "The reference answers are in `solutions/`: read them side by side with yours.",
            ),
            title="All done",
            border_style="green",
        )
    )


def stage_list(console: Console, stages: Sequence[Stage], results: dict[str, StageResult]) -> None:
    table = progress_table(stages, results)
    console.print(table)
    for stage in stages:
        console.print(Text.assemble((f"{stage.number:02d} ", "bold"), (stage.goal, "dim")))
