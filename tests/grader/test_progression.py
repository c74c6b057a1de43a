"""grader.progression, the one owner of the stages' order, on a made-up cache (nothing runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from grader.catalogue import STAGES
from grader.model import Stage
from grader.progress import Progress
from grader.progression import Progression, position
from grader.results import StageResult
from grader.session import Session


def progression(tmp_path: Path, passed: set[int], target: str = "exercises",
                runs: list[str] | None = None) -> Progression:
    """Stages numbered in `passed` have a cached pass; the others a cached failure, except in
    another target (no cache there: a verdict means a run, recorded in `runs`)."""
    session = Session(target, tmp_path, Console(quiet=True), Progress(tmp_path / "p.json"),
                      use_cache=target == "exercises", test_timeout=10.0)

    def verdict(stage: Stage, *, run: bool = True, use_cache: bool | None = None) -> StageResult | None:
        cached = session.use_cache if use_cache is None else use_cache
        if not cached and not run:
            return None
        if not cached and runs is not None:
            runs.append(stage.id)
        result = StageResult(stage.id, "passed" if stage.number in passed else "failed")
        result.cached = bool(cached)
        return result

    session.verdict = verdict  # type: ignore[method-assign]
    return Progression(session)


def test_current_next_and_locked(tmp_path: Path) -> None:
    p = progression(tmp_path, passed={0, 1, 2})
    assert p.current() is STAGES[3]
    assert p.blocker(STAGES[5]) is STAGES[3] and p.blocker(STAGES[3]) is None
    assert p.next_after(STAGES[2]) is STAGES[3] and p.next_after(STAGES[-1]) is None
    assert p.last_passed() is STAGES[2]
    statuses = {k: v.status for k, v in p.listing().items()}
    assert [statuses[s.id] for s in STAGES] == ["passed"] * 3 + ["failed"] + ["locked"] * (len(STAGES) - 4)


def test_a_later_pass_does_not_unlock_an_earlier_failure(tmp_path: Path) -> None:
    p = progression(tmp_path, passed={0, 2})
    assert p.current() is STAGES[1] and p.blocker(STAGES[2]) is STAGES[1]
    assert p.last_passed() is STAGES[2]  # `grade solution`: the latest stage that passed


def test_all_passed(tmp_path: Path) -> None:
    p = progression(tmp_path, passed={s.number for s in STAGES})
    assert p.current() is None and p.current_or_last() is STAGES[-1]


def test_grade_in_order_stops_at_the_first_failure_and_reverifies_cached_passes(tmp_path: Path) -> None:
    p = progression(tmp_path, passed={0, 1})
    failed = p.grade_in_order()
    assert failed is not None and failed.id == STAGES[2].id
    assert [p.session.results[s.id].status for s in STAGES[3:]] == ["locked"] * (len(STAGES) - 3)
    runs: list[str] = []
    p = progression(tmp_path, passed={s.number for s in STAGES}, runs=runs)
    assert p.grade_in_order() is None
    assert runs == [s.id for s in STAGES]  # every cached pass run again before "All done"


def test_another_target_is_graded_on_request(tmp_path: Path) -> None:
    runs: list[str] = []
    p = progression(tmp_path, passed={s.number for s in STAGES}, target="solutions", runs=runs)
    assert not p.in_order and not p.passed(STAGES[3])  # no cache there
    assert p.passes_now(STAGES[3]) and runs == [STAGES[3].id]  # so it runs
    assert {r.status for r in p.listing().values()} == {"not_run"}


@pytest.mark.parametrize(("statuses", "expected"), [
    (["passed", "failed", "locked"], ("01", "failed")),
    (["passed", "not_run", "failed"], ("02", "failed")),   # `grade 2`: the failure, not the gap
    (["passed", "not_run", "not_run"], ("01", "not_run")),
    (["passed", "passed", "passed"], (None, "done")),
])
def test_where_a_report_puts_its_attendee(statuses: list[str], expected: tuple[str | None, str]) -> None:
    stages = [{"id": f"{n:02d}", "status": s} for n, s in enumerate(statuses)]
    where, status = position(stages)
    assert ((where["id"] if where else None), status) == expected
