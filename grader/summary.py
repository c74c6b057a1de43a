"""`grade summary --results FOLDER`: where the room is, from the attendees' `grade --json` files.

Each attendee saves `grade --json > NAME.json` (the file's stem is their name) into one folder.
The summary shows who is on which stage (their first failing stage, or "done") and, per stage,
the hints the attendees fail with most often, with the slide to revisit together.
Files that are not `grade --json` results are reported and skipped.
`--json` prints the same as JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.catalogue import STAGES, find_hint, find_stage
from grader.model import Stage
from grader.progression import position
from grader.render import deck_of
from grader.report import JSON_VERSION
from grader.session import EXIT_FAILED, EXIT_PASSED, Session, UsageError

STAGE_STATUSES = ("passed", "failed", "locked", "not_run")
SUPPORTED_VERSION = JSON_VERSION  # the layout this grade writes is the one it reads
TOP_HINTS = 3  # per stage, in the table (the JSON has them all)


class BadResult(ValueError):
    """A file that is not a `grade --json` result; the message says why, in plain words."""


@dataclass
class Attendee:
    name: str
    stage: str | None  # the first failing stage (or first not passed); None when done
    status: str  # "failed", "done", or "not_run" (a partial run that failed nowhere)
    first_hint: str | None = None
    first_test: str | None = None
    passed: list[str] = field(default_factory=list)
    failing_hints: dict[str, list[str]] = field(default_factory=dict)  # stage -> hints failed


def parse_result(name: str, data: Any) -> Attendee:
    """One attendee from the parsed JSON of their `grade --json`; BadResult if it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("stages"), list):
        raise BadResult('not a `grade --json` result (no "stages" list)')
    if data.get("version", SUPPORTED_VERSION) != SUPPORTED_VERSION:  # older files had no version
        raise BadResult(f"made by a grade whose --json layout is version {data.get('version')!r}; "
                        f"this grade reads version {SUPPORTED_VERSION}")
    if data.get("target", "exercises") != "exercises":
        raise BadResult(f"a run of --target {data.get('target')}, not of the attendee's exercises")
    stages = data["stages"]
    for index, stage in enumerate(stages):
        if not (isinstance(stage, dict) and isinstance(stage.get("id"), str)
                and stage.get("status") in STAGE_STATUSES and isinstance(stage.get("tests", []), list)):
            raise BadResult(f"stage number {index + 1} in the file is not a stage result")
        for test in stage.get("tests", []):
            if not (isinstance(test, dict) and test.get("status") in ("passed", "failed")
                    and isinstance(test.get("hint"), (str, type(None)))):
                raise BadResult(f"a test of stage {stage['id']} is not a test result")
    if not stages:
        raise BadResult("the result lists no stages")
    attendee = Attendee(name, None, "done")
    attendee.passed = [s["id"] for s in stages if s["status"] == "passed"]
    for stage in stages:
        failed = [t for t in stage.get("tests", []) if t["status"] == "failed"]
        if stage["status"] == "failed":
            attendee.failing_hints[stage["id"]] = list(dict.fromkeys(t["hint"] or "?" for t in failed))
    where, attendee.status = position(stages)
    attendee.stage = where["id"] if where is not None else None
    if where is not None and attendee.status == "failed":
        test = next((t for t in where.get("tests", []) if t["status"] == "failed"), None)
        if test is not None:
            attendee.first_hint, attendee.first_test = test["hint"], test.get("name")
    return attendee


def read_folder(folder: Path) -> tuple[list[Attendee], list[tuple[str, str]]]:
    """(attendees, skipped files with the reason) from every *.json file in `folder`."""
    attendees, skipped = [], []
    for path in sorted(folder.glob("*.json"), key=lambda p: p.name.lower()):
        try:
            text = path.read_text(encoding="utf-8-sig")
            attendees.append(parse_result(path.stem, json.loads(text)))
        except UnicodeDecodeError:
            skipped.append((path.name, "not a text file (not UTF-8)"))
        except json.JSONDecodeError as error:
            why = "the file is empty" if not text.strip() else f"not valid JSON (line {error.lineno})"
            skipped.append((path.name, why))
        except BadResult as error:
            skipped.append((path.name, str(error)))
        except OSError as error:
            skipped.append((path.name, f"could not be read ({error.strerror or error})"))
    return attendees, skipped


def _order(stage_id: str | None) -> tuple[int, str]:
    if stage_id is None:
        return (len(STAGES) + 1, "")
    stage = find_stage(stage_id)
    return (STAGES.index(stage) if stage else len(STAGES), stage_id)


def _title(stage_id: str) -> str:
    stage = find_stage(stage_id)
    return stage.title if stage else stage_id


def hint_info(stage_id: str, hint_id: str) -> dict[str, str]:
    """Title, slide and deck of a hint, from the catalogue ("" where the catalogue has none)."""
    stage = find_stage(stage_id)
    hint = find_hint(stage, hint_id) if stage else None
    if stage is None or hint is None:
        return {"title": "(not in this version's catalogue)", "slide": "", "deck": ""}
    return {"title": hint.title, "slide": hint.slide, "deck": deck_of(stage, hint)}


def build_summary(attendees: list[Attendee], skipped: list[tuple[str, str]]) -> dict[str, Any]:
    """The summary as plain data: what `--json` prints and what the tables show."""
    people = sorted(attendees, key=lambda a: (_order(a.stage), a.name.lower()))
    counts: dict[str, Counter[str]] = {}
    who: dict[tuple[str, str], list[str]] = {}
    for attendee in people:
        for stage_id, hints in attendee.failing_hints.items():
            counts.setdefault(stage_id, Counter()).update(hints)
            for hint in hints:
                who.setdefault((stage_id, hint), []).append(attendee.name)
    stage_ids = sorted({a.stage for a in people if a.stage} | set(counts), key=_order)
    stages = []
    for stage_id in stage_ids:
        ranked = sorted((counts.get(stage_id) or Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        stages.append({
            "id": stage_id,
            "title": _title(stage_id),
            "attendees": sum(a.stage == stage_id for a in people),
            "hints": [{"hint": hint, "count": count, **hint_info(stage_id, hint),
                       "attendees": who[(stage_id, hint)]} for hint, count in ranked],
        })
    return {
        "attendees": [
            {"name": a.name, "stage": a.stage, "title": _title(a.stage) if a.stage else None,
             "status": a.status, "first_hint": a.first_hint, "first_test": a.first_test,
             "passed": a.passed}
            for a in people
        ],
        "done": sum(a.status == "done" for a in people),
        "stages": stages,
        "skipped": [{"file": name, "reason": reason} for name, reason in skipped],
    }


def render(console: Console, summary: dict[str, Any]) -> None:
    room = Table(title=f"Where the room is ({len(summary['attendees'])} attendees)", title_style="bold")
    room.add_column("Attendee", style="bold")
    room.add_column("Stage")
    room.add_column("Stuck on (first failing hint)")
    for a in summary["attendees"]:
        if a["status"] == "done":
            room.add_row(a["name"], Text("done", style="green"), "")
            continue
        stage = find_stage(a["stage"])
        label = f"{stage.number:02d} {stage.title}" if stage else a["stage"]
        hint = a["first_hint"] or ("not run yet" if a["status"] == "not_run" else "")
        room.add_row(a["name"], Text(label, style="red" if a["status"] == "failed" else "yellow"), hint)
    console.print(room)
    hints = Table(title="Most frequent failing hints, per stage", title_style="bold")
    hints.add_column("Stage", style="bold")
    hints.add_column("Count", justify="right")
    hints.add_column("Hint")
    hints.add_column("Title")
    hints.add_column("Slide to revisit")
    for stage in summary["stages"]:
        for index, hint in enumerate(stage["hints"][:TOP_HINTS]):
            slide = f"\u201c{hint['slide']}\u201d ({Path(hint['deck']).name})" if hint["slide"] else ""
            label = f"{stage['id']} ({stage['attendees']} here)" if index == 0 else ""
            hints.add_row(label, str(hint["count"]), hint["hint"], hint["title"], slide)
    if hints.row_count:
        console.print(hints)
    else:
        console.print(Text("No failing hints: nobody is stuck.", style="green"))
    if summary["done"]:
        console.print(Text(f"{summary['done']} attendee(s) have finished every stage.", style="green"))


def summary(session: Session, stage: Stage | None, args: argparse.Namespace) -> int:
    console = session.console
    folder_name = getattr(args, "results", None)
    if not folder_name:
        raise UsageError("say which folder holds the results: grade summary --results FOLDER "
                         "(a folder of the attendees' `grade --json > NAME.json` files)")
    folder = Path(os.path.expanduser(folder_name))
    if not folder.is_dir():
        raise UsageError(f"--results {folder_name}: no such folder")
    attendees, skipped = read_folder(folder)
    for name, reason in skipped:
        console.print(Text(f"Skipped {name}: {reason}.", style="yellow"))
    if not attendees:
        what = "no readable `grade --json` results" if skipped else "no *.json files"
        console.print(Text(f"{folder} has {what}: nothing to summarise.", style="bold red"))
        return EXIT_FAILED
    data = build_summary(attendees, skipped)
    if stage is not None:  # `grade summary 3 --results F`: that stage's hints only
        data["stages"] = [s for s in data["stages"] if s["id"] == stage.id]
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2))
    else:
        render(console, data)
    return EXIT_PASSED
