"""`grade bench`: your capstone runtime against asyncio, on the suite's five workloads.

The capstone of the day (the catalogue's WORKSHOP.capstone: stage 07, timers.py): once it
passes, the runtime you wrote runs the workloads of
`bench/` (spawn + join, channel ping-pong, sleeps, a contended mutex, idle-task memory) at
a twentieth of their size, each in a fresh process beside asyncio, and you see the ratios.
Once stage 08 (the I/O reactor) passes too, W6 (echo round trips over loopback) joins, on
that stage's reactor.py.
Your file is loaded only in those child processes (by path), never in the grader's.
W2 and W4 need a channel and a mutex, which the capstone's file does not have: they come from
the reference stages 03 and 04 when `solutions/` is there, else from bench's small ones.
"""

from __future__ import annotations

import argparse
import sys
import time

from rich.text import Text

from grader.catalogue import WORKSHOP, capstone, find_stage
from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.progression import Progression
from grader.session import EXIT_FAILED, EXIT_PASSED, Session, UsageError

IO_STAGE, IO_FILE = "08_reactor", "reactor.py"  # W6 runs on this stage's file, once it passes
ROUNDS = 5  # run.MIN_ROUNDS_FOR_A_CLAIM: enough for "ahead"/"behind" when every round agrees
DIVISOR = 20  # a twentieth of the full sizes: the whole run takes about a minute
PROCESS_TIMEOUT = 30.0  # seconds for one workload in one process
YOURS = "yours"


def _harness():
    """The bench harness (bench/run.py): our own code, which never imports a runtime itself."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from bench import run

    return run


def bench(session: Session, stage: Stage | None, args: argparse.Namespace) -> int:
    top = capstone()
    number, name = f"{top.number:02d}", top.id.split("_", 1)[1]
    if stage is not None and stage is not top:
        raise UsageError(f"`grade bench` measures your stage {number} runtime; it takes no stage "
                         f"(got {stage.id})")
    console = session.console
    if not Progression(session).passes_now(top):  # exercises: the cached verdict, else a run
        console.print(Text.assemble(
            (f"The benchmark runs once stage {number} ({name}) passes. ", "bold yellow"),
            "It races the runtime you wrote against asyncio, and a runtime that is not done "
            f"yet would race nowhere: run `grade` (or `grade {top.number}`) until stage {number} "
            "passes, then `grade bench`."))
        return EXIT_FAILED
    run = _harness()
    runtime_file = session.target_dir / top.id / WORKSHOP.capstone_file
    shown = (runtime_file.relative_to(REPO_ROOT).as_posix()
             if runtime_file.is_relative_to(REPO_ROOT) else str(runtime_file))
    reactor = find_stage(IO_STAGE)
    io_ready = reactor is not None and Progression(session).passes_now(reactor)
    io_files = {YOURS: str(session.target_dir / IO_STAGE / IO_FILE)} if io_ready else {}
    runner = run.Runner(runtime_files={YOURS: str(runtime_file)}, io_files=io_files,
                        timeout=PROCESS_TIMEOUT)
    workloads = [w for w in run.WORKLOADS if io_ready or w.id not in run.IO]
    sizes = run.sizes_for(DIVISOR)
    console.print(Text.assemble(
        ("Your runtime ", "bold"), (shown, "cyan"), (" against asyncio", "bold"),
        f": {len(workloads)} workloads × {ROUNDS} rounds, each measurement in a fresh process."))
    started = time.monotonic()
    with console.status("starting ...") as status:
        results = run.run_rounds(runner, [YOURS, run.BASELINE], workloads, sizes, ROUNDS,
                                 progress=lambda text: status.update(text))
    console.print(run.results_table(results, f"{ROUNDS} rounds — {run.machine()}",
                                    highlight=YOURS, goals=False))
    console.print(Text(f"median of the rounds; × = median of the per-round ratios to asyncio; "
                       f"lower is better. {time.monotonic() - started:.0f} s in all.", style="dim"))
    failed = False
    for (runtime, workload), error in sorted(results.errors.items()):
        failed = True
        who = "your runtime" if runtime == YOURS else runtime
        console.print(Text(f"{workload.upper()} failed on {who}: {error}", style="red"))
    summary, verdicts = [], []
    for workload in workloads:
        ratio = results.ratio(YOURS, workload.id)
        if ratio is not None:
            what = "memory" if workload.unit == "B" else "time"
            summary.append(f"{workload.title} {ratio:.2f}× asyncio's {what}")
            verdicts.append(results.verdict(YOURS, workload.id))
    if summary:
        console.print(Text.assemble(("Yours: ", "bold"), "; ".join(summary) + "."))
        console.print(_claim(verdicts))
    if not io_ready:
        console.print(Text("W6 (echo round trips over loopback sockets) joins once stage 08 "
                           "(the I/O reactor) passes.", style="dim"))
    console.print(Text("The full suite, with trio and uvloop: `python -m bench` (bench/README.md).",
                       style="dim"))
    return EXIT_FAILED if failed else EXIT_PASSED


def _claim(verdicts: list[str | None]) -> Text:
    """Ahead/behind only where every round agrees (the paired ratios' range excludes 1.0)."""
    ahead, behind = verdicts.count("ahead"), verdicts.count("behind")
    level = len(verdicts) - ahead - behind
    parts = [f"ahead of asyncio on {ahead}"] if ahead else []
    parts += [f"behind on {behind}"] if behind else []
    parts += [f"level on {level} (the rounds disagree: some faster, some slower)"] if level else []
    text = Text("Every round compared: " + ", ".join(parts) + f" of {len(verdicts)} workloads.",
                style="bold green" if ahead and not behind else "")
    if behind:
        text.append(" See bench/README.md for where the time goes.", style="yellow")
    return text
