"""The benchmark harness runs (bench/): every workload at a tiny size, no timing asserted."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from grader.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT))  # `bench` is a folder of the repository, not installed

from bench import run
from bench.workloads import WORKLOADS, asyncio_rt, reference
from bench.workloads import primitives as prims

TINY = 400
IDS = [w.id for w in WORKLOADS]


@pytest.mark.parametrize("workload", IDS)
def test_reference_runs_each_workload(workload: str) -> None:
    value = reference.run(workload, TINY)
    assert value > 0


@pytest.mark.parametrize("workload", IDS)
def test_asyncio_runs_each_workload(workload: str) -> None:
    value = asyncio_rt.run(workload, TINY)
    assert value > 0


def test_fallback_channel_and_mutex_work_on_the_reference_runtime() -> None:
    """A student copy has no solutions/03 and 04: W2 and W4 then use bench's own primitives."""
    rt = reference.load(reference.REFERENCE, "_bench_smoke_runtime")
    rt.block_on(reference.w2(rt, TINY, prims.channel))
    rt.block_on(reference.w4(rt, TINY, prims.Mutex))


def test_a_fresh_process_measures_and_the_table_renders() -> None:
    runner = run.Runner(timeout=60)
    workloads = [run.WORKLOADS[0]]
    sizes = {"w1": TINY}
    results = run.run_rounds(runner, ["reference", "asyncio"], workloads, sizes, rounds=1)
    assert not results.errors, results.errors
    assert results.ratio("reference", "w1") is not None
    out = io.StringIO()
    console = Console(file=out, width=120)
    run.show(console, results, "smoke", "")
    assert "W1 spawn + join" in out.getvalue()


def test_w6_runs_on_the_reactor_file_and_w1_on_the_timers_file() -> None:
    """`grade bench` hands the attendee's stage 08 reactor.py to W6 only (the io_files)."""
    runner = run.Runner(runtime_files={"yours": "t/timers.py"}, io_files={"yours": "r/reactor.py"})
    assert runner.command("yours", "w6", TINY)[-2:] == ["--runtime-file", "r/reactor.py"]
    assert runner.command("yours", "w1", TINY)[-2:] == ["--runtime-file", "t/timers.py"]
    assert "--runtime-file" not in runner.command("asyncio", "w6", TINY)
    assert run.goals_for("w6") == {"asyncio": run.GOAL_IO_VS_ASYNCIO}


def test_a_failing_runtime_is_reported_not_raised(tmp_path: Path) -> None:
    broken = tmp_path / "timers.py"
    broken.write_text("def block_on(root):\n    raise RuntimeError('not today')\n", encoding="utf-8")
    runner = run.Runner(runtime_files={"yours": str(broken)}, timeout=60)
    value = runner.measure("yours", "w1", TINY)
    assert isinstance(value, str) and "not today" in value


def test_grade_bench_waits_for_stage_07(tmp_path: Path) -> None:
    env = {**os.environ, "GRADE_PROGRESS": str(tmp_path / "progress.json"), "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "bench"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "stage 07" in done.stdout


def _results(mine: list[float], theirs: list[float]) -> run.Results:
    results = run.Results(["reference", "asyncio"], [run.WORKLOADS[0]], {"w1": TINY})
    results.values = {("reference", "w1"): list(mine), ("asyncio", "w1"): list(theirs)}
    return results


def test_ahead_or_behind_only_when_every_paired_round_agrees() -> None:
    # The case that was misreported: median ratio 0.87, yet two rounds slower than asyncio.
    mixed = _results([0.40, 0.55, 0.45, 0.60, 0.50], [0.50, 0.50, 0.55, 0.45, 0.60])
    assert mixed.verdict("reference", "w1") == "level"
    assert _results([0.4] * 5, [0.5] * 5).verdict("reference", "w1") == "ahead"
    assert _results([0.6] * 5, [0.5] * 5).verdict("reference", "w1") == "behind"
    assert _results([0.4] * 3, [0.5] * 3).verdict("reference", "w1") is None  # too few rounds


def test_the_table_shows_the_range_of_the_paired_ratios() -> None:
    results = _results([0.40, 0.55, 0.45], [0.50, 0.50, 0.50])
    out = io.StringIO()
    run.show(Console(file=out, width=140), results, "spread", "")
    assert "0.90× (0.80–1.10)" in out.getvalue()
