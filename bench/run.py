"""Run the benchmark suite: `python -m bench` or `python bench/run.py` (see bench/README.md).

Each (runtime, workload) measurement runs in a fresh process (`bench.worker`); a round runs
every workload on every runtime, runtimes interleaved (their order rotates each round), so
a slow spell of a loaded machine hits all runtimes alike. Reported: the median of the
rounds, and the median of the per-round ratios to asyncio (paired ratios).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bench.workloads import WORKLOADS, Workload, primitives_source

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNTIMES = ("reference", "asyncio", "trio", "uvloop")
BASELINE = "asyncio"
QUICK_DIVISOR = 10
# The goals for the reference runtime (bench/README.md).
GOAL_VS_ASYNCIO = 0.6
GOAL_VS_UVLOOP = 1.0
GOAL_BYTES_PER_TASK = 750
TIMED = ("w1", "w2", "w3", "w4")
IO = ("w6",)  # run on stage 08's runtime (reactor.py), not stage 07's (timers.py)
GOAL_IO_VS_ASYNCIO = 1.0  # issue 15: the reactor at most asyncio's time on W6


def goals_for(workload: str) -> dict[str, float]:
    """The reference runtime's goal per baseline on `workload` (bench/README.md)."""
    if workload in TIMED:
        return {"asyncio": GOAL_VS_ASYNCIO, "uvloop": GOAL_VS_UVLOOP}
    if workload in IO:
        return {"asyncio": GOAL_IO_VS_ASYNCIO}
    return {}
MIN_ROUNDS_FOR_A_CLAIM = 5  # fewer rounds than this: no "ahead"/"behind", only the numbers


def available(runtime: str) -> str | None:
    """None if `runtime` can run here, else why not (trio and uvloop are optional)."""
    if runtime == "uvloop" and sys.platform == "win32":
        return "uvloop does not run on Windows"
    if runtime in ("trio", "uvloop") and importlib.util.find_spec(runtime) is None:
        return f"{runtime} is not installed (pip install -e '.[bench]')"
    return None


@dataclass
class Runner:
    """Measures one (runtime, workload, size) in a fresh process."""

    runtime_files: dict[str, str] = field(default_factory=dict)  # runtime -> timers.py path
    io_files: dict[str, str] = field(default_factory=dict)  # runtime -> reactor.py path (W6)
    timeout: float = 600.0
    clock: str = "wall"  # or "cpu": CPU seconds of the measured process (loaded machines)

    def command(self, runtime: str, workload: str, size: int) -> list[str]:
        files = self.io_files if workload in IO else self.runtime_files
        ours = runtime in self.runtime_files or runtime in self.io_files
        worker = "reference" if ours else runtime
        command = [sys.executable, "-m", "bench.worker", worker, workload, str(size)]
        if runtime in files:
            command += ["--runtime-file", files[runtime]]
        return command

    def measure(self, runtime: str, workload: str, size: int) -> float | str:
        """The measured value, or an error message."""
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONDONTWRITEBYTECODE": "1",
               "BENCH_CLOCK": self.clock}
        try:
            done = subprocess.run(self.command(runtime, workload, size), cwd=REPO_ROOT, env=env,
                                  capture_output=True, text=True, timeout=self.timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return f"did not finish within {self.timeout:g} s"
        lines = done.stdout.strip().splitlines()
        try:
            report = json.loads(lines[-1])
        except (IndexError, json.JSONDecodeError):
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return f"the process ended with exit code {done.returncode}: {tail}"
        if "error" in report:
            return str(report["error"])
        return float(report["value"])


@dataclass
class Results:
    runtimes: list[str]
    workloads: list[Workload]
    sizes: dict[str, int]
    # (runtime, workload id) -> one value per round (None: that round failed)
    values: dict[tuple[str, str], list[float | None]] = field(default_factory=dict)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)

    def ok(self, runtime: str, workload: str) -> list[float]:
        return [v for v in self.values.get((runtime, workload), []) if v is not None]

    def median(self, runtime: str, workload: str) -> float | None:
        values = self.ok(runtime, workload)
        return statistics.median(values) if values else None

    def ratios(self, runtime: str, workload: str, baseline: str = BASELINE) -> list[float]:
        """value(runtime) / value(baseline) of each round in which both ran (paired ratios)."""
        mine = self.values.get((runtime, workload), [])
        theirs = self.values.get((baseline, workload), [])
        return [a / b for a, b in zip(mine, theirs, strict=False) if a is not None and b]

    def ratio(self, runtime: str, workload: str, baseline: str = BASELINE) -> float | None:
        """Median over rounds of value(runtime) / value(baseline) in the same round."""
        pairs = self.ratios(runtime, workload, baseline)
        return statistics.median(pairs) if pairs else None

    def verdict(self, runtime: str, workload: str, baseline: str = BASELINE) -> str | None:
        """"ahead", "behind" or "level" against `baseline`; None without enough rounds.

        A claim needs every paired ratio on one side of 1.0 (their whole range excludes 1.0)
        and at least MIN_ROUNDS_FOR_A_CLAIM rounds: with 5 rounds, all five on one side
        would happen by chance 2 / 2**5 = 6 % of the time if the two were equal.
        """
        pairs = self.ratios(runtime, workload, baseline)
        if len(pairs) < MIN_ROUNDS_FOR_A_CLAIM:
            return None
        if max(pairs) < 1.0:
            return "ahead"
        if min(pairs) > 1.0:
            return "behind"
        return "level"


def run_rounds(
    runner: Runner,
    runtimes: Sequence[str],
    workloads: Sequence[Workload],
    sizes: dict[str, int],
    rounds: int,
    progress: Callable[[str], None] = lambda _: None,
) -> Results:
    results = Results(list(runtimes), list(workloads), sizes)
    total = rounds * len(workloads) * len(runtimes)
    count = 0
    for round_no in range(rounds):
        for workload in workloads:
            shift = round_no % len(runtimes)  # rotate who goes first
            for runtime in [*runtimes[shift:], *runtimes[:shift]]:
                count += 1
                progress(f"round {round_no + 1}/{rounds}: {workload.id} {workload.title} "
                         f"on {runtime} ({count}/{total})")
                key = (runtime, workload.id)
                if key in results.errors:  # failed before: it will fail again, skip it
                    results.values.setdefault(key, []).append(None)
                    continue
                value = runner.measure(runtime, workload.id, sizes[workload.id])
                if isinstance(value, str):
                    results.errors[key] = value
                    results.values.setdefault(key, []).append(None)
                else:
                    results.values.setdefault(key, []).append(value)
    return results


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "B":
        return f"{value:,.0f} B"
    return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"


def fmt_ratio(value: float | None, goal: float | None = None, pairs: Sequence[float] = ()) -> Text:
    """`0.87× (0.80–0.95)`: the median paired ratio and, when there are rounds, their range."""
    if value is None:
        return Text("-")
    style = "" if goal is None else ("green" if value <= goal else "red")
    text = Text(f"{value:.2f}×", style=style)
    if len(pairs) > 1:
        text.append(f" ({min(pairs):.2f}\u2013{max(pairs):.2f})", style="dim")
    return text


def spread(values: list[float]) -> str:
    """Half the min-max range, relative to the median: how steady the rounds were."""
    if len(values) < 2:
        return ""
    return f"±{(max(values) - min(values)) / 2 / statistics.median(values):.0%}"


def results_table(results: Results, title: str, highlight: str = "reference",
                  goals: bool = True) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("workload (N)")
    table.add_column("runtime")
    table.add_column("median", justify="right")
    table.add_column("spread", justify="right", style="dim")
    table.add_column(f"× {BASELINE}", justify="right")
    has_uvloop = "uvloop" in results.runtimes and goals
    if has_uvloop:
        table.add_column("× uvloop", justify="right")
    for workload in results.workloads:
        unit = workload.unit
        label = [f"{workload.id.upper()} {workload.title}", f"N = {results.sizes[workload.id]:,}"]
        for index, runtime in enumerate(results.runtimes):
            values = results.ok(runtime, workload.id)
            goal = goals_for(workload.id) if goals and runtime == highlight else {}
            row: list[str | Text] = [
                label[index] if index < len(label) else "",
                Text(runtime, style="bold" if runtime == highlight else ""),
                fmt(results.median(runtime, workload.id), unit) if values
                else Text("failed", style="red"),
                spread(values),
                Text("1 (baseline)", style="dim") if runtime == BASELINE
                else fmt_ratio(results.ratio(runtime, workload.id), goal.get("asyncio"),
                               results.ratios(runtime, workload.id)),
            ]
            if has_uvloop:
                row.append(fmt_ratio(results.ratio(runtime, workload.id, "uvloop"),
                                     goal.get("uvloop"),
                                     results.ratios(runtime, workload.id, "uvloop"))
                           if runtime == highlight else Text(""))
            table.add_row(*row, end_section=index == len(results.runtimes) - 1)
    return table


def goal_lines(results: Results) -> list[Text]:
    """The reference runtime against the issue's goals."""
    lines = []
    for workload in results.workloads:
        if workload.unit == "s":
            for baseline, goal in goals_for(workload.id).items():
                if baseline not in results.runtimes:
                    continue
                ratio = results.ratio("reference", workload.id, baseline)
                if ratio is not None:
                    met = ratio <= goal
                    lines.append(Text(f"{'met ' if met else 'MISSED'} {workload.id.upper()} "
                                      f"{ratio:.2f}× {baseline} (goal ≤ {goal:g}×)",
                                      style="green" if met else "red"))
        else:
            value = results.median("reference", workload.id)
            if value is not None:
                met = value <= GOAL_BYTES_PER_TASK
                lines.append(Text(f"{'met ' if met else 'MISSED'} {workload.id.upper()} "
                                  f"{value:,.0f} B per idle task (goal ≤ {GOAL_BYTES_PER_TASK} B)",
                                  style="green" if met else "red"))
    return lines


def load_results(path: Path) -> tuple[Results, dict[str, object]]:
    """Results saved by `--json FILE`, to show them again (`--show FILE`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    values = {tuple(key.split("/")): v for key, v in data["values"].items()}
    runtimes = list(dict.fromkeys(r for r, _ in values))
    workloads = [w for w in WORKLOADS if any(wid == w.id for _, wid in values)]
    results = Results(runtimes, workloads, data["sizes"])
    results.values = values
    results.errors = {tuple(key.split("/")): e for key, e in data["errors"].items()}
    return results, data


def show(console: Console, results: Results, title: str, note: str) -> None:
    console.print(results_table(results, title))
    console.print(Text(f"median of the rounds; × = median of the per-round ratios; lower is better "
                       f"everywhere. {note}", style="dim"))
    for (runtime, workload), error in sorted(results.errors.items()):
        console.print(Text(f"{runtime} {workload} failed: {error}", style="red"))
    if "reference" in results.runtimes:
        for line in goal_lines(results):
            console.print(line)


def sizes_for(divisor: int) -> dict[str, int]:
    return {w.id: max(w.size // divisor, 1_000) for w in WORKLOADS}


def machine() -> str:
    import platform

    return (f"Python {platform.python_version()} ({platform.python_implementation()}), "
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="The reference runtime against asyncio, trio and uvloop, each measurement "
                    "in a fresh process.")
    parser.add_argument("--rounds", type=int, help="rounds (default 9; 3 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help=f"sizes divided by {QUICK_DIVISOR} (a rough look in a minute or two)")
    parser.add_argument("--only", metavar="W", nargs="+", choices=[w.id for w in WORKLOADS],
                        help="only these workloads (w1 … w6)")
    parser.add_argument("--runtimes", metavar="R", nargs="+", choices=RUNTIMES,
                        help="only these runtimes (asyncio is always run: it is the baseline)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall (default) or cpu: the measured process's CPU time, steadier "
                             "on a busy machine (W3 then leaves out the time spent asleep)")
    parser.add_argument("--json", metavar="FILE", help="also write every measurement to FILE")
    parser.add_argument("--show", metavar="FILE", help="show the results saved in FILE (--json), run nothing")
    args = parser.parse_args(argv)
    console = Console(highlight=False)
    if args.show:
        results, data = load_results(Path(args.show))
        show(console, results, f"{data['rounds']} rounds, {data.get('clock', 'wall')} clock — "
                               f"{data['machine']}", "")
        return 0
    rounds = args.rounds or (3 if args.quick else 9)
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    wanted = list(args.runtimes or RUNTIMES)
    if BASELINE not in wanted:
        wanted.insert(1 if wanted and wanted[0] == "reference" else 0, BASELINE)
    runtimes = []
    for runtime in wanted:
        why = available(runtime)
        if why is None:
            runtimes.append(runtime)
        else:
            console.print(Text(f"skipped {runtime}: {why}", style="yellow"))
    workloads = [w for w in WORKLOADS if not args.only or w.id in args.only]
    sizes = sizes_for(QUICK_DIVISOR if args.quick else 1)
    started = time.monotonic()
    with console.status("starting ...") as status:
        results = run_rounds(Runner(clock=args.clock), runtimes, workloads, sizes, rounds,
                             progress=lambda text: status.update(text))
    title = (f"{rounds} rounds, {args.clock} clock, each measurement in a fresh process — "
             f"{machine()}")
    show(console, results, title, f"W2/W4 reference primitives: {primitives_source()}. "
                                  f"{time.monotonic() - started:.0f} s in all.")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "machine": machine(), "rounds": rounds, "clock": args.clock, "sizes": sizes,
            "values": {f"{r}/{w}": v for (r, w), v in results.values.items()},
            "errors": {f"{r}/{w}": e for (r, w), e in results.errors.items()},
        }, indent=2), encoding="utf-8")
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
