"""What every stage promises: stubs fail, stub and solution share an API, every failure
maps to a hint that exists, every hint to a slide that exists.

The checks themselves live in grader/checks.py, shared with `grade verify`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from grader import checks
from grader.catalogue import STAGES
from grader.catalogue.common import COMMON_HINTS
from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.results import StageResult
from grader.runner import run_stage

STAGE_IDS = [s.id for s in STAGES]
needs_solutions = pytest.mark.skipif(
    not (REPO_ROOT / "solutions").is_dir(),
    reason="solutions/ is not in this copy (a student copy): nothing to compare the stubs with",
)


@pytest.fixture(scope="module")
def stub_results() -> dict[str, StageResult]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda s: run_stage(s, "exercises", first_failure=True), STAGES)
        return {r.id: r for r in results}


@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_pristine_stub_fails_its_stage(stage: Stage, stub_results: dict[str, StageResult]) -> None:
    result = stub_results[stage.id]
    assert result.status == "failed", f"the stub of {stage.id} passes its own tests"
    assert result.problem is None, f"the stub of {stage.id} does not even load: {result.tests}"
    assert not checks.stub_problems(result)


# --- API parity ------------------------------------------------------------------------

@needs_solutions
@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_stub_and_solution_share_the_public_api(stage: Stage) -> None:
    problems = checks.api_problems(stage)
    assert not problems, f"{stage.id}: " + "; ".join(problems)


def test_public_api_sees_signatures_and_public_methods(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "m.py"
    source.write_text("class A(B):\n    def __init__(self, x: int) -> None: ...\n"
                      "    def _private(self): ...\n    async def go(self, *, y=1): ...\n"
                      "def f(a, b=2): ...\n_hidden = 1\n", encoding="utf-8")
    assert checks.public_api(source) == {
        "A": "class(B)", "A.__init__": "self, x: int", "A.go": "async self, *, y=1", "f": "a, b=2"}


# --- hints -------------------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_every_test_maps_to_an_existing_hint(stage: Stage) -> None:
    _used, unmarked = checks.hint_ids_in(REPO_ROOT / stage.test_file)
    assert not unmarked, f"{stage.id}: tests without a hint marker: {unmarked}"
    problems = checks.hint_coverage_problems(stage)
    assert not problems, f"{stage.id}: " + "; ".join(problems)


@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_every_hint_points_at_a_slide_that_exists(stage: Stage) -> None:
    assert not checks.deck_problems(stage), f"{stage.id} has no slide deck at {stage.slides_file}"
    problems = checks.hint_slide_problems(stage)
    assert not problems, f"{stage.id}: " + "; ".join(problems)


def test_common_hints_point_at_the_setup_deck() -> None:
    deck = (REPO_ROOT / "slides" / "00_setup.md").read_text(encoding="utf-8")
    for hint in COMMON_HINTS:
        assert f"## {hint.slide}\n" in deck, hint.id
    assert not checks.common_hint_problems()


def test_every_stage_deck_belongs_to_a_stage() -> None:
    """slides/NN_name.md are stage decks; other notes there (instructor-guide.md) are not."""
    assert not checks.orphan_deck_problems()
    names = [p.name for p in checks.stage_decks()]
    assert "instructor-guide.md" not in names


def test_every_stage_folder_belongs_to_a_stage() -> None:
    problems = checks.orphan_folder_problems()
    assert not problems, "; ".join(problems)


def test_instructor_guide_times_match_the_catalogue() -> None:
    guide = (REPO_ROOT / "slides" / "instructor-guide.md").read_text(encoding="utf-8")
    for stage in STAGES:
        row = f"| {stage.number:02d} | {stage.title} | {stage.minutes} min |"
        assert row in guide, f"slides/instructor-guide.md: the row of {stage.id} should read {row}"


def test_hint_ids_are_unique_within_a_stage() -> None:
    for stage in STAGES:
        ids = [h.id for h in stage.hints] + [h.id for h in COMMON_HINTS]
        assert len(ids) == len(set(ids)), stage.id
