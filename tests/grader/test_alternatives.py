"""The alternatives catalogue: correct implementations in other designs all pass."""

from __future__ import annotations

import pytest

from grader import alternatives
from grader.catalogue import STAGES
from grader.paths import REPO_ROOT

pytestmark = pytest.mark.skipif(
    not alternatives.catalogue_dir().is_dir() or not (REPO_ROOT / "solutions").is_dir(),
    reason="tests/alternatives/ and solutions/ are not in this copy (a student copy)",
)

CATALOGUE = alternatives.load_catalogue()


@pytest.mark.parametrize("alt", CATALOGUE, ids=[f"{a.stage}/{a.id}" for a in CATALOGUE])
def test_correct_alternative_passes(alt: alternatives.Alternative) -> None:
    verdict = alternatives.check(alt)
    assert verdict.passed, alternatives.problems(verdict)


@pytest.mark.parametrize("alt", CATALOGUE, ids=[f"{a.stage}/{a.id}" for a in CATALOGUE])
def test_alternative_files_belong_to_the_stage(alt: alternatives.Alternative) -> None:
    stage = next(s for s in STAGES if s.id == alt.stage)
    assert alt.files, f"{alt.stage}/{alt.id} holds no .py file"
    assert {p.name for p in alt.files} <= set(stage.files), (
        f"{alt.stage}/{alt.id}: only the files the attendee edits ({stage.files}); a given file "
        f"({stage.given_files}) is the earlier stage's answer, the same for every design")
    assert alt.note, f"{alt.stage}/{alt.id}: its file must start with a docstring naming the design"
    assert stage is not None


@pytest.mark.parametrize("stage", [s for s in STAGES if s.number > 0], ids=lambda s: s.id)
def test_every_stage_has_three_alternatives(stage) -> None:  # type: ignore[no-untyped-def]
    count = sum(1 for a in CATALOGUE if a.stage == stage.id)
    assert count >= 3, f"{stage.id} has {count} correct alternative(s); at least 3 guard against over-fitting"
