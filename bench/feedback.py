"""`python -m bench.feedback`: how fast an attendee hears back, beside each goal.

Every figure is the wall time of a whole `grade` command in a fresh process, the median of
`--rounds` runs (default 5), measured on this machine as it is (say how busy it was):

    save -> verdict     `grade N` for one changed stage (00-07), the reference solution as the
                        attendee's file: the child run included, nothing cached
    endless loop        `grade 1` on a copy of the solution whose `poll` spins forever
    blocked test        `grade 1` on a copy whose `poll` waits forever on a threading.Event
    own suite           (with --suite) the README's test command (`python -m pytest`), once

The goals are issue 16's: save -> verdict <= 0.5 s, an endless loop named within 3 s, a
blocked test within 5 s, the project's own suite <= 90 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOAL_VERDICT = 0.5
GOAL_LOOP = 3.0
GOAL_BLOCKED = 5.0
GOAL_SUITE = 90.0

# Edits of solutions/01_future/future.py: the first `def poll(` gets a first line that never ends.
SPIN = "        while True:\n            pass\n"
BLOCK = "        import threading\n        threading.Event().wait()\n"


def timed(command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started, done.returncode


def grade_command(stage: str, target: str) -> list[str]:
    return [sys.executable, "-m", "grader.cli", stage, "--target", target, "--no-cache"]


def broken_copy(folder: Path, first_line: str) -> Path:
    """A copy of solutions/ whose stage-01 `poll` begins with `first_line` (spin or block)."""
    target = folder / "target"
    shutil.copytree(REPO / "solutions", target, ignore=shutil.ignore_patterns("__pycache__"))
    path = target / "01_future" / "future.py"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("def poll("))
    while not lines[at].rstrip().endswith(":"):  # a signature over several lines
        at += 1
    lines.insert(at + 1, first_line)
    path.write_text("".join(lines), encoding="utf-8")
    return target


def median_of(rounds: int, command: Sequence[str], env: dict[str, str]) -> tuple[float, float, float]:
    times = [timed(command, env)[0] for _ in range(rounds)]
    return statistics.median(times), min(times), max(times)


def row(label: str, figures: tuple[float, float, float], goal: float) -> str:
    median, low, high = figures
    status = "met" if median <= goal else "MISSED"
    return f"{label:<28} {median:7.2f} s  ({low:.2f}–{high:.2f})   goal ≤ {goal:g} s   {status}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feedback", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="runs per figure (median shown)")
    parser.add_argument("--suite", action="store_true", help="also time the project's own suite once")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="feedback-") as tmp:
        env = {**os.environ, "GRADE_PROGRESS": str(Path(tmp) / "progress.json"), "NO_COLOR": "1"}
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg()) if hasattr(os, 'getloadavg') else '?'}"
              f"; median of {args.rounds} fresh processes (min–max)")
        failed = False
        for number in range(8):
            figures = median_of(args.rounds, grade_command(str(number), "solutions"), env)
            line = row(f"save -> verdict, stage {number:02d}", figures, GOAL_VERDICT)
            failed |= "MISSED" in line
            print(line, flush=True)
        for label, first_line, goal in (("endless loop named", SPIN, GOAL_LOOP),
                                         ("blocked test named", BLOCK, GOAL_BLOCKED)):
            with tempfile.TemporaryDirectory(prefix="feedback-target-") as folder:
                target = broken_copy(Path(folder), first_line)
                figures = median_of(args.rounds, grade_command("1", str(target)), env)
            line = row(label, figures, goal)
            failed |= "MISSED" in line
            print(line, flush=True)
        if args.suite:
            # The README's command as written: `python -m pytest`, no options (in parallel
            # through tests/own_suite.py), the exhaustive tier left to .ci/run.
            seconds, code = timed([sys.executable, "-m", "pytest"])
            line = row("project's own suite", (seconds, seconds, seconds), GOAL_SUITE)
            print(line + ("" if code == 0 else f"   (pytest exit {code})"))
            failed |= "MISSED" in line or code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
