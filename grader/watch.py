"""`grade watch`: re-run the current stage whenever one of its files is saved.

Changes are found by polling the stage's few files (size, mtime and content), which
works the same on Windows, WSL, network drives and in containers, where file-system
events are often missing; it costs a few stat calls every quarter second.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from rich.text import Text

from grader import render, runner
from grader.hint import show_hint
from grader.keys import KeySource, key_source, keys_work, read_key
from grader.listing import show_list
from grader.model import Stage
from grader.progression import Progression
from grader.report import json_report
from grader.session import EXIT_PASSED, Session

POLL_SECONDS = 0.05
SETTLE_SECONDS = 0.05  # debounce: editors write a file in several steps, within milliseconds


def fingerprint(paths: list[Path]) -> tuple[object, ...]:
    """What the files look like now: a save changes it, a mere read does not."""
    from grader.progress import _content  # never blocks on a pipe; a marker for what isn't a file

    return tuple(None if not (path.exists() or path.is_symlink())  # deleted (or mid-save)
                 else hashlib.sha256(_content(path)).hexdigest() for path in paths)


def watched_files(session: Session, stage: Stage) -> list[Path]:
    """The stage's files: the edited ones, then the given ones (part of the stage folder: a
    change there changes the verdict too)."""
    return [session.target_dir / stage.id / name for name in stage.all_files]


def wait_for_change(paths: list[Path], keys: KeySource,
                    clock: Callable[[], float] = time.monotonic) -> str | None:
    """Block until the files change (returns None, after they settle) or a key is pressed."""
    before = fingerprint(paths)
    while True:
        key = read_key(keys, POLL_SECONDS)
        if key is not None:
            return key
        now = fingerprint(paths)
        if now != before:
            settled_at = clock()
            while clock() - settled_at < SETTLE_SECONDS:
                keys.read(POLL_SECONDS / 2)  # (a key pressed while a save settles is dropped)
                latest = fingerprint(paths)
                if latest != now:
                    now, settled_at = latest, clock()
            return None


def show(session: Session, stage: Stage) -> bool:
    """Clear the screen (no stale error stays visible), grade `stage`, show it. True if passed."""
    console = session.console
    console.clear()
    result = session.verdict(stage)
    assert result is not None
    session.results[stage.id] = result
    if result.status == "passed":
        console.print(Text.assemble((f"Stage {stage.number:02d} \u00b7 {stage.title} passes!", "bold green"),
                                    f"  ({len(result.tests)} tests)"))
    else:
        console.print(render.failure_panel(stage, result, hint_command="press [h]"))
    if session.grading_exercises:
        session.progress.save()
        from grader import room

        room.report_in_background(session.progress.path, json_report(session))  # never waited for
    return result.status == "passed"


def footer(session: Session, stage: Stage, passed: bool, with_keys: bool = True) -> str:
    edited = watched_files(session, stage)[:len(stage.files)]  # the given ones are watched too
    files = ", ".join(str(p.relative_to(session.target_dir.parent)) for p in edited)
    if not with_keys:  # no console to read keys from (Git Bash without winpty): don't promise any
        return f"Watching {files} \u2014 save to re-run. Ctrl-C quits; `grade hint` in another terminal."
    keys = "[h] hint  [l] list  [q] quit"
    if passed and Progression(session).next_after(stage) is not None:
        keys = "[n] next stage  " + keys
    return f"Watching {files} \u2014 save to re-run.  {keys}  (Ctrl-C also quits)"


def watch(session: Session, stage: Stage | None, args: argparse.Namespace,
          keys: KeySource | None = None) -> int:
    """The watch loop. Never moves past a stage without the attendee pressing [n]."""
    progression = Progression(session)
    stage = stage or progression.current_or_last()
    if keys is None:
        with key_source() as terminal_keys:
            return watch(session, stage, args, terminal_keys)
    with runner.spares_kept_warm():  # a spare child waits, warm, for each next save
        return _watch(session, stage, args, keys)


def _watch(session: Session, stage: Stage, args: argparse.Namespace, keys: KeySource) -> int:
    console = session.console
    progression = Progression(session)
    passed = show(session, stage)
    while True:
        console.print(Text(footer(session, stage, passed, keys_work(keys)), style="dim"))
        key = wait_for_change(watched_files(session, stage), keys)
        if key is None:
            passed = show(session, stage)
        elif key in ("q", "Q", "\x1b"):
            console.print("\nStopped watching. Your progress is saved.")
            return EXIT_PASSED
        elif key in ("n", "N") and passed and progression.next_after(stage) is not None:
            stage = progression.next_after(stage) or stage
            passed = show(session, stage)
        elif key in ("h", "H"):
            console.print()
            show_hint(session, stage, args, ask="press [h]")
        elif key in ("l", "L"):
            console.print()
            show_list(session, None, args)
        elif key in ("\r", "\n", " "):
            passed = show(session, stage)
