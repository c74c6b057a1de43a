"""The mutant catalogue: every listed mistake is rejected, with its own hint first."""

from __future__ import annotations

import pytest

from grader import checks
from grader.catalogue import STAGES
from grader.mutants import Mutant, catalogue_dir, check, load_catalogue
from grader.paths import REPO_ROOT

pytestmark = pytest.mark.skipif(
    not catalogue_dir().is_dir() or not (REPO_ROOT / "solutions").is_dir(),
    reason="tests/mutants/ and solutions/ are not in this copy (a student copy): no mutants to check",
)

CATALOGUE = load_catalogue()


# One test per mutant, each grading its own temporary copy (tempfile: unique, so xdist-safe):
# no test or fixture grades more than one mutant, so none needs more than a few seconds.
@pytest.mark.parametrize("mutant", CATALOGUE, ids=[f"{m.stage}/{m.id}" for m in CATALOGUE])
def test_mutant_is_rejected_with_its_hint(mutant: Mutant) -> None:
    verdict = check(mutant)
    assert verdict.caught, f"{mutant.stage}/{mutant.id} survived: {mutant.note}"
    assert verdict.hint == mutant.hint, (
        f"{mutant.stage}/{mutant.id} ({mutant.note}) was caught by {verdict.test} with hint "
        f"{verdict.hint!r}, expected {mutant.hint!r}: {verdict.message}")
    assert not checks.mutant_problems(verdict)


def test_mutant_ids_are_unique() -> None:
    keys = [(m.stage, m.id) for m in CATALOGUE]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("stage", [s for s in STAGES if s.number > 0], ids=lambda s: s.id)
def test_every_stage_has_mutants(stage) -> None:  # type: ignore[no-untyped-def]
    assert any(m.stage == stage.id for m in CATALOGUE), f"{stage.id} has no mutants"
