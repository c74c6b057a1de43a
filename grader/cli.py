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
import json
import sys
import traceback
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.text import Text

from grader import pristine, render, runner
from grader.catalogue import STAGES, find_hint, find_stage
from grader.model import Stage
from grader.paths import REPO_ROOT, target_path
from grader.progress import Progress
from grader.results import StageResult
from grader.runner import DEFAULT_TEST_TIMEOUT, GraderError
from grader.session import EXIT_FAILED, EXIT_PASSED, EXIT_USAGE, Session, UsageError

# Commands that live in a module of their own: name -> "module:function". Each takes
# (session, stage or None, parsed args) and returns an exit code. Imported on use only.
COMMANDS: dict[str, str] = {
    "list": "grader.cli:show_list",
    "hint": "grader.cli:show_hint",
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
    console = Console(file=stream if stream.isatty() else TrimmedLines(stream), highlight=False)
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


# What the screens use beyond ASCII, and what stands in for it on a terminal that can't show it.
_ASCII = {"\u2014": "-", "\u2013": "-", "\u00b7": "-", "\u201c": '"', "\u201d": '"', "\u2018": "'",
          "\u2019": "'", "\u2026": "...", "\u2192": "->", "\u2190": "<-", "\u2713": "v", "\u2717": "x"}


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeEncodeError)
    text = error.object[error.start:error.end]
    return "".join(_ASCII.get(ch, "?") for ch in text), error.end


class TrimmedLines:
    """A text stream that drops the spaces rich pads each line with, for output that is not a
    terminal (a pipe, a file, a log): `grade list > x` has no trailing blanks to diff or copy."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.pending = ""  # the unfinished last line of what was written so far

    def write(self, text: str) -> int:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        if lines:
            self.stream.write("\n".join(line.rstrip(" ") for line in lines) + "\n")
        return len(text)

    def flush(self) -> None:
        if self.pending.strip(" ") == "":
            self.pending = ""  # trailing blanks only: nothing to keep
        self.stream.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    def fileno(self) -> int:
        return self.stream.fileno()


def safe_streams() -> None:
    """On a terminal that is not UTF-8 (ascii, latin-1, cp437, LC_ALL=C), never crash on a
    character: rich already draws ASCII boxes there; the rest is replaced by a stand-in."""
    import codecs

    codecs.register_error("grade-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "\u2014\u00b7\u201c\u2026\u256d".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            try:
                stream.reconfigure(errors="grade-ascii")  # type: ignore[union-attr]
            except (AttributeError, ValueError):
                pass


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
        if command != "run":
            module, function = COMMANDS[command].split(":")
            return int(getattr(importlib.import_module(module), function)(session, stage, args))
        if args.pdb and stage is not None:
            from grader.debug import run_pdb

            return run_pdb(session, stage)
        code = run_one(session, stage) if stage else run_in_order(session)
        report = json_report(session)
        if args.json:
            print(json.dumps(report, indent=2))
        _report_to_room(session, report)
        return code
    except Exception as error:
        if not isinstance(error, UsageError):
            session.progress.forget(session.stored)  # never keep what an internal error produced
        raise
    finally:
        for warning in session.progress.warnings[shown:]:  # e.g. a cache that could not be saved
            console.print(Text(warning, style="yellow"))


def _report_to_room(session: Session, report: dict[str, object]) -> None:
    """If this checkout joined a room (`grade room join`), tell it, without waiting long."""
    if not session.grading_exercises:
        return
    from grader import room

    sending = room.report_in_background(session.progress.path, report)
    if sending is not None:
        sending.join(room.POST_TIMEOUT)  # bounded: an unreachable room costs at most this


def run_in_order(session: Session) -> int:
    """Stages in order; cached passes are re-verified by content; stop at the first failure."""
    failed: StageResult | None = None
    for stage in STAGES:
        if failed is not None:
            session.results[stage.id] = StageResult(stage.id, "locked")
            continue
        result = session.verdict(stage)
        assert result is not None
        session.results[stage.id] = result
        if result.status != "passed":
            failed = result
    if failed is None:
        failed = reverify(session)
    console = session.console
    console.print(render.progress_table(STAGES, session.results))
    if failed is None:
        render.all_done(console, STAGES)
        return EXIT_PASSED
    stage = find_stage(failed.id)
    assert stage is not None
    console.print(render.where_you_are(stage, session.target_dir))
    console.print(render.failure_panel(stage, failed))
    return EXIT_FAILED


def reverify(session: Session) -> StageResult | None:
    """Before "All done": run every stage whose pass came from the cache (the file is writable)."""
    failed: StageResult | None = None
    for stage in STAGES:
        if failed is not None:
            session.results[stage.id] = StageResult(stage.id, "locked")
            continue
        if not session.results[stage.id].cached:
            continue
        result = session.verdict(stage, use_cache=False)
        assert result is not None
        session.results[stage.id] = result
        if result.status != "passed":
            failed = result
    return failed


def run_one(session: Session, stage: Stage) -> int:
    for stage_id in (s.id for s in STAGES):
        session.results[stage_id] = StageResult(stage_id, "not_run")
    blocker = first_unpassed_before(session, stage) if session.grading_exercises else None
    console = session.console
    if blocker is not None:
        session.results[stage.id] = StageResult(stage.id, "locked")
        console.print(
            Text.assemble(
                (f"Stage {stage.number:02d} ({stage.title}) is locked. ", "bold yellow"),
                f"Stage {blocker.number:02d} ({blocker.title}) has not passed yet: run "
                f"`grade {blocker.number}` (or plain `grade`) and make it pass to unlock the next.",
            )
        )
        return EXIT_FAILED
    result = session.verdict(stage)
    assert result is not None
    session.results[stage.id] = result
    if result.status == "passed":
        passed = len(result.tests)
        later = STAGES[STAGES.index(stage) + 1:]
        console.print(
            Text.assemble(
                (f"Stage {stage.number:02d} passes", "bold green"),
                f" ({passed} tests). ",
                (f"Next: stage {later[0].number:02d} \u00b7 {later[0].title} \u2014 run `grade` to go on."
                 if later else "That was the last stage: run `grade` to see every stage pass.", "dim"),
            )
        )
        return EXIT_PASSED
    console.print(render.failure_panel(stage, result))
    return EXIT_FAILED


def first_unpassed_before(session: Session, stage: Stage) -> Stage | None:
    earlier = STAGES[: STAGES.index(stage)]
    return next((s for s in earlier if not session.passed(s)), None)


def show_list(session: Session, stage: Stage | None, args: argparse.Namespace) -> int:
    """Every stage with where the attendee is; runs nothing (cached verdicts only)."""
    current = session.current_stage() if session.grading_exercises else None
    for each in STAGES:
        if not session.grading_exercises:
            status = "not_run"
        elif current is None or each.number < current.number:
            status = "passed"
        else:
            status = "failed" if each is current else "locked"
        cached = session.verdict(each, run=False) if status in ("passed", "failed") else None
        session.results[each.id] = cached or StageResult(each.id, status)
    render.stage_list(session.console, STAGES, session.results)
    return EXIT_PASSED


def show_hint(session: Session, stage: Stage | None, args: argparse.Namespace,
              ask: str = "grade hint") -> int:
    """The next level of the hint ladder for the stage's recorded failure (render.hint_levels)."""
    console = session.console
    current = session.current_stage()
    if stage is not None and current is not None and stage.number > current.number:
        console.print(f"Stage {stage.number:02d} is locked: its hints come once you get there. "
                      f"Pass stage {current.number:02d} first (`grade {current.number}`, and "
                      f"`grade hint {current.number}` when stuck).")
        return EXIT_FAILED
    stage = stage or current
    if stage is None:
        console.print("Every stage passes: no hints needed.")
        return EXIT_PASSED
    last = session.progress.last_result(stage)
    test = last.first_failure if last else None
    if last is not None and last.status == "passed":
        console.print(f"Stage {stage.number:02d} passes: no hint needed.")
        return EXIT_PASSED
    if last is None or test is None or not test.hint:
        console.print(
            f"No failure of stage {stage.number:02d} is on record: run "
            f"`grade {stage.number}` first, then ask for a hint."
        )
        return EXIT_FAILED
    hint = find_hint(stage, test.hint)
    if hint is None:
        raise GraderError(f"the test {test.name} names an unknown hint {test.hint!r}")
    level = session.progress.next_hint_level(stage, hint.id, len(render.HINT_LEVELS))
    console.print(render.hint_panel(stage, hint, level, test, ask))
    return EXIT_FAILED


JSON_VERSION = 1  # of `--json`'s layout (SPEC §5); `grade summary` and the room check it


def json_report(session: Session) -> dict[str, object]:
    stages = []
    for stage in STAGES:
        result = session.results.get(stage.id) or StageResult(stage.id, "not_run")
        stages.append(
            {
                "id": stage.id,
                "title": stage.title,
                "status": result.status,
                "cached": result.cached,  # from the progress file, not run this time
                "tests": [
                    {
                        "name": t.name,
                        "status": t.status,
                        "hint": t.hint,
                        "message": t.message,
                        "location": t.location,
                    }
                    for t in result.tests
                ],
            }
        )
    return {"version": JSON_VERSION, "target": session.target, "stages": stages}


if __name__ == "__main__":
    sys.exit(main())
