"""`grade solution [N]`: the reference answer of stage N, once the attendee's stage N passed.

Shown as the differences between the attendee's file and the reference (a unified diff,
`-` yours, `+` the reference; paged in a terminal when longer than the screen); with `--full`
both whole files, side by side from 160 columns, one after the other below that. For the
attendee's exercises the pass is the cached verdict that `grade` recorded for the current
content of their file; for another `--target` folder (no cache there) the tests run first.
"""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from grader.export import is_student_copy
from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.progression import Progression
from grader.session import EXIT_FAILED, EXIT_PASSED, EXIT_USAGE, Session, UsageError
from grader.slides import CODE_THEME, WIDE


def solutions_included() -> bool:
    """False in a student copy (`grade export` leaves `solutions/` out and marks the copy)."""
    return not is_student_copy() and (REPO_ROOT / "solutions").is_dir()


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def _code(path: Path | None) -> RenderableType:
    if path is None or not path.is_file():
        return Text("(no such file)", style="dim italic")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return Text(f"(could not read it: {error.strerror or error})", style="yellow")
    return Syntax(text.rstrip("\n"), "python", theme=CODE_THEME, line_numbers=True, word_wrap=True)


def _files(stage: Stage, reference_dir: Path) -> list[str]:
    """The stage's attendee files first, then any other module of the reference answer."""
    names = list(stage.files)
    names += sorted(p.name for p in reference_dir.glob("*.py") if p.name not in names)
    return names


def solution_renderables(
    stage: Stage, yours_dir: Path, reference_dir: Path, width: int
) -> list[RenderableType]:
    out: list[RenderableType] = []
    for name in _files(stage, reference_dir):
        yours, reference = yours_dir / name, reference_dir / name
        yours_title = f"yours \u00b7 {_shown(yours)}"
        reference_title = f"reference \u00b7 {_shown(reference)}"
        if width >= WIDE:
            table = Table(expand=True, show_lines=False, header_style="bold")
            table.add_column(yours_title, ratio=1)
            table.add_column(reference_title, ratio=1)
            table.add_row(_code(yours if yours.exists() else None), _code(reference))
            out.append(table)
        else:
            out.append(Group(Rule(yours_title, align="left"), _code(yours if yours.exists() else None)))
            out.append(Group(Rule(reference_title, align="left", style="green"), _code(reference)))
    return out


def diff_renderables(stage: Stage, yours_dir: Path, reference_dir: Path) -> list[RenderableType]:
    """A unified diff per file, yours (`-`) against the reference (`+`)."""
    out: list[RenderableType] = []
    for name in _files(stage, reference_dir):
        yours, reference = yours_dir / name, reference_dir / name
        mine = _lines(yours)
        diff = list(difflib.unified_diff(mine, _lines(reference), f"yours \u00b7 {_shown(yours)}",
                                         f"reference \u00b7 {_shown(reference)}", n=3))
        if not diff:
            out.append(Text(f"{name}: yours and the reference are the same.", style="dim"))
            continue
        text = "".join(line if line.endswith("\n") else line + "\n" for line in diff)
        out.append(Syntax(text.rstrip("\n"), "diff", theme=CODE_THEME, word_wrap=True))
    return out


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    except OSError:
        return []


def _not_passed(session: Session, stage: Stage) -> Text:
    number = stage.number
    intro = (
        f"The reference solution of stage {number:02d} ({stage.title}) is shown once your stage passes. ",
        "bold yellow",
    )
    if not session.grading_exercises:
        return Text.assemble(intro, f"Stage {number:02d} does not pass in {session.target} yet.")
    last = session.progress.last_result(stage)
    if last is None:
        why = f"You have not run it yet: run `grade {number}` and make it pass, then ask again."
    elif last.status == "passed":
        why = (
            f"Your file changed since it passed: run `grade {number}` again to confirm it "
            "still passes, then ask again."
        )
    else:
        why = (
            f"It has not passed yet: keep going with `grade {number}` (and `grade hint {number}` "
            "when stuck), then ask again. Your own answer is worth more than the reference."
        )
    return Text.assemble(intro, why)


def show_solution(session: Session, stage: Stage | None, args: argparse.Namespace) -> int:
    console = session.console
    if not solutions_included():
        console.print(
            Text.assemble(
                ("The reference solutions are not included in this copy of the workshop. ", "bold yellow"),
                "Ask the instructor, or compare your answer with a neighbour's.",
            )
        )
        return EXIT_FAILED
    progression = Progression(session)
    if stage is None:
        if not progression.in_order:
            raise UsageError(f"say which stage: `grade solution N --target {session.target}`")
        stage = progression.last_passed()
        if stage is None:
            console.print(
                Text.assemble(
                    ("No stage has passed yet, so there is no solution to show. ", "bold yellow"),
                    "Run `grade`, make the first stage pass, then `grade solution`.",
                )
            )
            return EXIT_FAILED
    reference_dir = REPO_ROOT / "solutions" / stage.id
    if not reference_dir.is_dir():
        console.print(
            Text(
                f"There is no reference solution for stage {stage.id} (solutions/{stage.id} is missing).",
                style="bold red",
            )
        )
        return EXIT_USAGE
    if not progression.passes_now(stage):
        console.print(_not_passed(session, stage))
        return EXIT_FAILED
    console.print(
        Text.assemble(
            (f"Stage {stage.number:02d} \u00b7 {stage.title}", "bold green"),
            ": your answer and the reference. Different can be just as right: the hidden tests "
            "decide, and yours pass.",
        )
    )
    yours_dir = session.target_dir / stage.id
    if getattr(args, "full", False):
        shown = solution_renderables(stage, yours_dir, reference_dir, console.width)
    else:
        console.print(Text("- lines are yours, + lines the reference's; `grade solution "
                           f"{stage.number} --full` shows both whole files.", style="dim"))
        shown = diff_renderables(stage, yours_dir, reference_dir)
    if console.is_terminal and _taller_than_screen(console, shown):
        with console.pager(styles=True):
            console.print(*shown)
    else:
        console.print(*shown)
    return EXIT_PASSED


def _taller_than_screen(console: Console, renderables: list[RenderableType]) -> bool:
    lines = sum(len(console.render_lines(r, pad=False)) for r in renderables)
    return lines > console.height - 2
