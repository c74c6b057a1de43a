"""`grade`: the attendee's (and instructor's) command line.

    grade                 run stages in order from the first not yet passed; stop at a failure
    grade N               one stage (3, 03, 03_channel or channel)
    grade watch [N]       re-run the current stage on every save
    grade hint [N]        the next level of hint for the current failure
    grade list            every stage and where you are
    grade slides [N]      the stage's slides (--html PATH: one offline HTML deck)
    grade solution [N]    the reference answer, once stage N passed
    grade reset N         restore a stage's stub (asks first; --yes), keeping a backup
    grade bench           your runtime against asyncio, once stage 07 passed
    grade verify [N]      instructor: every solution passes, stub fails, mutant is caught...
    grade export -o DIR   instructor: a student copy without solutions
    grade summary --results DIR   instructor: where the room is stuck, from --json files
    grade room serve      instructor: a live view of the room; attendees `grade room join URL CODE`
    --target solutions    grade the reference solutions (or any folder laid out like them)
    --json                machine-readable results on stdout, nothing else there

Exit codes: 0 every requested stage passed, 1 a stage failed, 2 usage or grader error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from pathlib import Path
from typing import TextIO, cast

from rich.console import Console
from rich.text import Text

from grader import pristine, runner
from grader.catalogue import STAGES, find_stage
from grader.model import Stage
from grader.paths import REPO_ROOT, target_path
from grader.progress import Progress
from grader.runner import DEFAULT_TEST_TIMEOUT, GraderError
from grader.session import EXIT_PASSED, EXIT_USAGE, Session, UsageError
from grader.terminal import TrimmedLines, safe_streams

# Every command lives in a module of its own: name -> "module:function". Each takes
# (session, stage or None, parsed args) and returns an exit code. Imported on use only.
# The stages' order (current, next, locked) is grader.progression's, for every command.
RUN = "grader.run:run"  # no command word: `grade` (every stage in order) or `grade N`
COMMANDS: dict[str, str] = {
    "list": "grader.listing:show_list",
    "hint": "grader.hint:show_hint",
    "watch": "grader.watch:watch",
    "reset": "grader.reset:reset",
    "verify": "grader.verify:verify",
    "export": "grader.export:export",
    "summary": "grader.summary:summary",
    "slides": "grader.slides:show_slides",
    "solution": "grader.solution:show_solution",
    "bench": "grader.bench:bench",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade the workshop's stages with the hidden tests.",
        epilog="Examples: grade | grade 1 | grade watch | grade hint | grade list | grade slides 2",
    )
    parser.add_argument("words", nargs="*", metavar="[COMMAND] [STAGE]",
                        help=f"a stage, or one of: {', '.join(COMMANDS)} (then an optional stage)")
    parser.add_argument(
        "--target",
        default="exercises",
        help="exercises (default), solutions, or a folder laid out like them",
    )
    parser.add_argument("--json", action="store_true", help="print results as JSON on stdout only")
    parser.add_argument(
        "--html",
        metavar="PATH",
        help="with `slides`: export every deck (or stage N's) to one offline HTML file",
    )
    parser.add_argument("--no-cache", action="store_true", help="re-run even if nothing changed")
    parser.add_argument("--yes", "-y", action="store_true", help="reset: do not ask before overwriting")
    parser.add_argument("--output", "-o", metavar="DEST", help="export: folder for the student copy")
    parser.add_argument("--results", metavar="FOLDER", help="summary: folder of attendees' --json files")
    parser.add_argument("--wheelhouse", action="store_true",
                        help="export: add every dependency's wheel, for an offline install")
    parser.add_argument("--name", help="room join: the name the instructor sees")
    parser.add_argument("--host", help="room serve: the address to listen on (default: the LAN address)")
    parser.add_argument("--port", type=int, help="room serve: the port (default 8765; 0: any free port)")
    parser.add_argument("--version", action="version", version=f"grade {_version()}")
    parser.add_argument("--pdb", action="store_true",
                        help="with a stage: run its first failing test alone, in the foreground, under pdb")
    parser.add_argument("--full", action="store_true",
                        help="solution: both whole files instead of the differences")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TEST_TIMEOUT,
        help=f"seconds before a test counts as hung (default {DEFAULT_TEST_TIMEOUT:g})",
    )
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rediscovering-the-future")
    except PackageNotFoundError:
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    safe_streams()
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with usage on bad options
    if args.words[:1] == ["help"]:  # `grade help` is `grade --help`
        parser.print_help()
        return EXIT_PASSED
    if args.words[:1] in ([], ["watch"]) or args.words[0] not in (*COMMANDS, "room"):
        runner.prestart()  # a stage may run: its child warms up while this process gets ready
    # With --json, stdout carries the JSON only; everything human goes to stderr.
    stream = sys.stderr if args.json else sys.stdout
    # TrimmedLines is a text stream by duck typing (write/flush/isatty/encoding), all rich uses.
    shown = stream if stream.isatty() else cast(TextIO, TrimmedLines(stream))
    console = Console(file=shown, highlight=False)
    try:
        return dispatch(args, console)
    except UsageError as error:
        console.print(Text(f"grade: {error}", style="bold red"))
        return EXIT_USAGE
    except GraderError as error:
        console.print(Text(f"grade could not run the tests: {error}", style="bold red"))
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.print(
            Text("\nInterrupted. Nothing was lost: run `grade` again when ready.", style="yellow")
        )
        return 130
    except Exception:  # a bug in the grader itself: say so plainly, keep the details
        details = REPO_ROOT / ".grade" / "last-error.txt"
        try:
            details.parent.mkdir(parents=True, exist_ok=True)
            details.write_text(traceback.format_exc(), encoding="utf-8")
            where = f" The details are in {details}."
        except OSError:
            where = ""
        console.print(
            Text(
                "grade hit an internal error. This is a bug in the grader, not in "
                f"your code; please tell the instructor.{where}",
                style="bold red",
            )
        )
        return EXIT_USAGE


def resolve_target(target: str) -> Path:
    path = target_path(target)
    if not path.is_dir():
        raise UsageError(f"--target {target}: no such folder ({path})")
    return path


def stage_or_error(name: str) -> Stage:
    stage = find_stage(name)
    if stage is None:
        known = ", ".join(f"{s.number:02d} ({s.id.split('_', 1)[1]})" for s in STAGES)
        raise UsageError(f"there is no stage {name!r}. The stages are: {known}. See `grade list`.")
    return stage


def dispatch(args: argparse.Namespace, console: Console) -> int:
    words = list(args.words)
    if words[:1] == ["room"]:  # `grade room serve|join URL CODE|leave|status`: words, not a stage
        from grader import room

        return room.room(console, words[1:], Progress().path, args)
    command = words.pop(0) if words and words[0] in COMMANDS else "run"
    if len(words) > 1:
        raise UsageError(f"too many arguments: {' '.join(args.words)} (try `grade --help`)")
    stage = stage_or_error(words[0]) if words else None
    if args.html and command != "slides":
        raise UsageError("--html goes with `slides`: `grade slides --html slides.html`")
    if args.full and command != "solution":
        raise UsageError("--full goes with `solution`: `grade solution N --full`")
    if args.pdb and (command != "run" or stage is None):
        raise UsageError("--pdb goes with a stage: `grade 3 --pdb` debugs stage 03's first failing test")
    # Verdicts are cached for the attendee's exercises under the default settings only: a
    # failure under `--timeout 0.001` says nothing about a default run.
    default_run = args.target == "exercises" and args.timeout == DEFAULT_TEST_TIMEOUT
    session = Session(
        args.target,
        resolve_target(args.target),
        console,
        Progress(),
        use_cache=default_run and not args.no_cache,
        test_timeout=args.timeout,
        store_results=default_run,
    )
    for warning in session.progress.warnings:
        console.print(Text(warning, style="yellow"))
    shown = len(session.progress.warnings)
    if session.grading_exercises:
        pristine.snapshot(session.target_dir)  # so `grade reset` works later, even without git
    try:
        module, function = (COMMANDS.get(command) or RUN).split(":")
        return int(getattr(importlib.import_module(module), function)(session, stage, args))
    except Exception as error:
        if not isinstance(error, UsageError):
            session.progress.forget(session.stored)  # never keep what an internal error produced
        raise
    finally:
        for warning in session.progress.warnings[shown:]:  # e.g. a cache that could not be saved
            console.print(Text(warning, style="yellow"))


if __name__ == "__main__":
    sys.exit(main())
