"""What every stage promises: stubs fail, stub and solution share an API, every failure
maps to a hint that exists, every hint to a slide that exists."""

from __future__ import annotations

import ast
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.catalogue import STAGES, find_hint
from grader.catalogue.common import COMMON_HINTS
from grader.model import Stage
from grader.paths import REPO_ROOT
from grader.results import StageResult
from grader.runner import run_stage

STAGE_IDS = [s.id for s in STAGES]


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


# --- API parity ------------------------------------------------------------------------

def public_api(path: Path) -> dict[str, str]:
    """Public top-level names and methods, with their signatures as text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    api: dict[str, str] = {}

    def signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
        return ("async " if isinstance(node, ast.AsyncFunctionDef) else "") + ast.unparse(node.args)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            api[node.name] = signature(node)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            api[node.name] = "class(" + ", ".join(ast.unparse(b) for b in node.bases) + ")"
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    not item.name.startswith("_") or item.name in ("__init__", "__await__",
                                                                   "__aenter__", "__aexit__")
                ):
                    api[f"{node.name}.{item.name}"] = signature(item)
    return api


@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_stub_and_solution_share_the_public_api(stage: Stage) -> None:
    stub_dir, solution_dir = REPO_ROOT / "exercises" / stage.id, REPO_ROOT / "solutions" / stage.id
    stub_files = sorted(p.name for p in stub_dir.glob("*.py"))
    assert stub_files == sorted(p.name for p in solution_dir.glob("*.py"))
    for name in stage.files:
        assert name in stub_files, f"{stage.id}: catalogue names {name}, which is not in the stub"
    for name in stub_files:
        stub, solution = public_api(stub_dir / name), public_api(solution_dir / name)
        assert stub == solution, f"{stage.id}/{name}: public API differs"


# --- hints -------------------------------------------------------------------------------

HINT_CALLS = {"fail": 0, "expect": 1}  # function -> position of the hint argument


def hint_ids_in(path: Path) -> tuple[set[str], list[str]]:
    """(every hint id named in a test file, tests that have no hint marker)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used: set[str] = set()
    module_marker = any(isinstance(n, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "pytestmark" for t in n.targets) for n in tree.body)
    unmarked = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "hint" and node.args and isinstance(node.args[0], ast.Constant):
                used.add(node.args[0].value)
            position = HINT_CALLS.get(name)
            if position is not None and len(node.args) > position:
                arg = node.args[position]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    used.add(arg.value)
            for keyword in node.keywords:
                if keyword.arg and keyword.arg.endswith("hint") and isinstance(keyword.value, ast.Constant):
                    used.add(keyword.value.value)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            marked = any("hint" in ast.unparse(d) for d in node.decorator_list)
            if not marked and not module_marker:
                unmarked.append(node.name)
    return used, unmarked


@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_every_test_maps_to_an_existing_hint(stage: Stage) -> None:
    used, unmarked = hint_ids_in(REPO_ROOT / stage.test_file)
    assert not unmarked, f"{stage.id}: tests without a hint marker: {unmarked}"
    unknown = sorted(h for h in used if find_hint(stage, h) is None)
    assert not unknown, f"{stage.id}: hint ids used in tests but not in the catalogue: {unknown}"


@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_every_hint_points_at_a_slide_that_exists(stage: Stage) -> None:
    deck = REPO_ROOT / stage.slides_file
    assert deck.exists(), f"{stage.id} has no slide deck at {stage.slides_file}"
    titles = set(re.findall(r"^## (.+?)\s*$", deck.read_text(encoding="utf-8"), re.M))
    missing = [f"{h.id} -> {h.slide!r}" for h in stage.hints if h.slide not in titles]
    assert not missing, f"{stage.id}: hints point at slides that do not exist: {missing}"


def test_common_hints_point_at_the_setup_deck() -> None:
    deck = (REPO_ROOT / "slides" / "00_setup.md").read_text(encoding="utf-8")
    for hint in COMMON_HINTS:
        assert f"## {hint.slide}\n" in deck, hint.id


def test_hint_ids_are_unique_within_a_stage() -> None:
    for stage in STAGES:
        ids = [h.id for h in stage.hints] + [h.id for h in COMMON_HINTS]
        assert len(ids) == len(set(ids)), stage.id
