"""The determinism check (exhaustive tier): the same code gets the same verdict, run after run.

Every mutant is graded REPEAT times and must be rejected each time by the same test with its
own hint; every reference solution is graded REPEAT times and must pass with the same tests
each time. `python -m grader.mutants --repeat 20` does the same from the command line. The
default run grades each mutant once (test_mutants.py); this repeats it, so it runs only with
`pytest --exhaustive` (`.ci/run` does, once).
"""

from __future__ import annotations

from collections import Counter

import pytest

from grader.catalogue import STAGES
from grader.model import Stage
from grader.mutants import Mutant, catalogue_dir, check, load_catalogue
from grader.paths import REPO_ROOT
from grader.runner import run_stage

REPEAT = 20

pytestmark = [
    pytest.mark.exhaustive,
    pytest.mark.timeout(60 * REPEAT),  # REPEAT stage runs in a row, on a machine doing others too
    pytest.mark.skipif(
        not catalogue_dir().is_dir() or not (REPO_ROOT / "solutions").is_dir(),
        reason="tests/mutants/ and solutions/ are not in this copy (a student copy)",
    ),
]

CATALOGUE = load_catalogue()


@pytest.mark.parametrize("mutant", CATALOGUE, ids=[f"{m.stage}/{m.id}" for m in CATALOGUE])
def test_a_mutant_gets_the_same_verdict_every_time(mutant: Mutant) -> None:
    seen = Counter((v.test, v.hint) for v in (check(mutant) for _ in range(REPEAT)))
    assert seen == Counter({next(iter(seen)): REPEAT}), (
        f"{mutant.stage}/{mutant.id} ({mutant.note}): {REPEAT} gradings gave different first "
        f"failures (test, hint): {dict(seen)}")
    (test, hint), = seen
    assert test is not None and hint == mutant.hint, (
        f"{mutant.stage}/{mutant.id}: first failure {test} with hint {hint!r}, expected {mutant.hint!r}")


@pytest.mark.parametrize("stage", STAGES, ids=[s.id for s in STAGES])
def test_a_solution_gets_the_same_verdict_every_time(stage: Stage) -> None:
    runs = [run_stage(stage, "solutions") for _ in range(REPEAT)]
    seen = Counter(tuple((t.name, t.status) for t in r.tests) for r in runs)
    assert len(seen) == 1, f"solutions/{stage.id}: {len(seen)} different verdicts in {REPEAT} runs"
    assert all(r.status == "passed" for r in runs), f"solutions/{stage.id} failed in some of {REPEAT} runs"
