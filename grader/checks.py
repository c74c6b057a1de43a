"""The promises every stage makes, as functions: one source of truth for `grade verify` and
for the project's own tests (tests/grader/test_stage_contract.py, test_mutants.py).

Each `*_problems` function returns a list of problems in plain words; empty means fine.
Nothing here runs a stage's tests except through the results it is given.
"""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Sequence
from pathlib import Path

from grader.catalogue import STAGES, WORKSHOP, find_hint
from grader.catalogue.common import COMMON_HINTS
from grader.model import Stage, Workshop
from grader.mutants import Verdict
from grader.paths import REPO_ROOT
from grader.results import StageResult

# Methods that count as public API although they start with an underscore.
PUBLIC_DUNDERS = ("__init__", "__await__", "__aenter__", "__aexit__")
# Kit functions that name a hint, and the position of their hint argument (a message follows).
HINT_CALLS = {"fail": 0, "expect": 1}
# A stage deck is `slides/NN_name.md`; other Markdown there (instructor-guide.md) is not.
STAGE_DECK = re.compile(r"^\d\d_[a-z0-9_]+\.md$")


# --- stubs and solutions --------------------------------------------------------------------

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
                    not item.name.startswith("_") or item.name in PUBLIC_DUNDERS
                ):
                    api[f"{node.name}.{item.name}"] = signature(item)
    return api


def api_problems(stage: Stage, root: Path = REPO_ROOT) -> list[str]:
    """Stub and solution have the same files, and each edited file the same public API.

    Given files are left out of the API comparison: `given_problems` proves each equals its
    source, in exercises/ and solutions/ alike.
    """
    stub_dir, solution_dir = root / "exercises" / stage.id, root / "solutions" / stage.id
    for folder in (stub_dir, solution_dir):
        if not folder.is_dir():
            return [f"{folder.relative_to(root).as_posix()}/ does not exist"]
    stub_files = sorted(p.name for p in stub_dir.glob("*.py"))
    solution_files = sorted(p.name for p in solution_dir.glob("*.py"))
    problems = []
    if stub_files != solution_files:
        problems.append(f"the stub has the files {stub_files}, the solution {solution_files}")
    problems += [
        f"the catalogue names {name}, which is not in the stub"
        for name in stage.all_files
        if name not in stub_files
    ]
    for name in stub_files:
        if name not in solution_files or name in stage.given_files:
            continue
        try:
            stub, solution = public_api(stub_dir / name), public_api(solution_dir / name)
        except SyntaxError as error:
            problems.append(f"{name}: Python cannot read it ({error.msg}, line {error.lineno})")
            continue
        if stub != solution:
            problems.append(f"{name}: public API differs ({_api_difference(stub, solution)})")
    return problems


def _api_difference(stub: dict[str, str], solution: dict[str, str]) -> str:
    parts = []
    if only := sorted(set(stub) - set(solution)):
        parts.append("only in the stub: " + ", ".join(only))
    if only := sorted(set(solution) - set(stub)):
        parts.append("only in the solution: " + ", ".join(only))
    if changed := sorted(k for k in set(stub) & set(solution) if stub[k] != solution[k]):
        parts.append("different signature: " + ", ".join(changed))
    return "; ".join(parts)


def solution_problems(result: StageResult) -> list[str]:
    """The reference solution must pass every test of its stage."""
    if result.status == "passed":
        return []
    failed = [t for t in result.tests if t.status == "failed"]
    first = failed[0] if failed else None
    if first is None:
        return [f"the stage did not pass ({result.status})"]
    return [f"{len(failed)} test(s) fail, first {first.name} (hint {first.hint}): "
            f"{_one_line(first.message)}"]


def stub_problems(result: StageResult) -> list[str]:
    """The pristine stub must fail its stage, and fail by a test, not by not loading."""
    if result.status == "passed":
        return ["the untouched stub passes every test: the stage asks nothing of the attendee"]
    if result.problem is not None:
        first = result.first_failure
        detail = _one_line(first.message) if first else ""
        return [f"the stub fails by a {result.problem.replace('_', ' ')}, not by a test: {detail}"]
    return []


def determinism_problems(first: StageResult, second: StageResult) -> list[str]:
    """Two runs of the same code give the same verdict, test by test."""
    one = {t.name: t.status for t in first.tests}
    two = {t.name: t.status for t in second.tests}
    if first.status == second.status and one == two:
        return []
    differ = sorted(n for n in set(one) | set(two) if one.get(n) != two.get(n))
    shown = ", ".join(f"{n} ({one.get(n, 'absent')} then {two.get(n, 'absent')})" for n in differ[:3])
    more = f" and {len(differ) - 3} more" if len(differ) > 3 else ""
    return [f"the second run differs from the first: {shown or first.status + ' then ' + second.status}"
            f"{more}"]


def given_problems(stage: Stage, root: Path = REPO_ROOT) -> list[str]:
    """Each given file (a copy of an earlier stage's reference) equals its source, in
    exercises/ and solutions/ (grader/given.py; `python -m grader.given` refreshes them)."""
    from grader import given

    return given.problems(stage, root)


# --- hints and slides -----------------------------------------------------------------------

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
            if name == "hint" and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                used.add(node.args[0].value)
            position = HINT_CALLS.get(name)
            # kit.fail(hint, message) / kit.expect(condition, hint, message): the hint is followed
            # by a message; a one-argument `self.fail(message)` (hypothesis, unittest) is not kit's.
            if position is not None and (len(node.args) > position + 1 or (
                    len(node.args) > position and any(k.arg == "message" for k in node.keywords))):
                arg = node.args[position]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    used.add(arg.value)
            for keyword in node.keywords:
                if keyword.arg and keyword.arg.endswith("hint") and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str):
                    used.add(keyword.value.value)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            marked = any("hint" in ast.unparse(d) for d in node.decorator_list)
            if not marked and not module_marker:
                unmarked.append(node.name)
    return used, unmarked


def hint_coverage_problems(stage: Stage, root: Path = REPO_ROOT) -> list[str]:
    """Every test has a hint marker, and every hint id the tests name is in the catalogue."""
    path = root / stage.test_file
    if not path.exists():
        return [f"the hidden tests {stage.test_file} do not exist"]
    try:
        used, unmarked = hint_ids_in(path)
    except SyntaxError as error:
        return [f"{stage.test_file}: Python cannot read it ({error.msg}, line {error.lineno})"]
    problems = []
    if unmarked:
        problems.append(f"tests without a hint marker: {unmarked}")
    unknown = sorted(h for h in used if find_hint(stage, h) is None)
    if unknown:
        problems.append(f"hint ids used in tests but not in the catalogue: {unknown}")
    return problems


def slide_titles(deck: Path) -> set[str]:
    """The slides of a deck: the text of its `## ` headings."""
    return set(re.findall(r"^## (.+?)\s*$", deck.read_text(encoding="utf-8"), re.M))


def deck_problems(stage: Stage, root: Path = REPO_ROOT) -> list[str]:
    if not (root / stage.slides_file).is_file():
        return [f"no slide deck at {stage.slides_file}"]
    return []


def hint_slide_problems(stage: Stage, root: Path = REPO_ROOT) -> list[str]:
    """Every hint of the stage names a slide (`## ` heading) of the stage's deck."""
    deck = root / stage.slides_file
    if not deck.is_file():
        return [f"no slide deck at {stage.slides_file}, so no hint's slide can exist"]
    titles = slide_titles(deck)
    missing = [f"{h.id} -> {h.slide!r}" for h in stage.hints if h.slide not in titles]
    return [f"hints point at slides that do not exist: {missing}"] if missing else []


def common_hint_problems(root: Path = REPO_ROOT) -> list[str]:
    """The hints every stage shares point at slides of the first (setup) deck."""
    deck = root / STAGES[0].slides_file
    if not deck.is_file():
        return [f"no slide deck at {STAGES[0].slides_file} for the common hints"]
    titles = slide_titles(deck)
    missing = [f"{h.id} -> {h.slide!r}" for h in COMMON_HINTS if h.slide not in titles]
    return [f"common hints point at slides that do not exist: {missing}"] if missing else []


def stage_decks(root: Path = REPO_ROOT) -> list[Path]:
    """The stage decks in slides/ (`NN_name.md`), leaving out guides and other notes."""
    folder = root / "slides"
    return sorted(p for p in folder.glob("*.md") if STAGE_DECK.match(p.name)) if folder.is_dir() else []


def orphan_deck_problems(root: Path = REPO_ROOT) -> list[str]:
    """Every stage deck in slides/ belongs to a stage of the catalogue."""
    known = {Path(s.slides_file).name for s in STAGES}
    return [f"slides/{p.name} belongs to no stage of the catalogue"
            for p in stage_decks(root) if p.name not in known]


def orphan_folder_problems(root: Path = REPO_ROOT) -> list[str]:
    """Every stage folder in exercises/ and solutions/ belongs to a stage of the catalogue."""
    known = {s.id for s in STAGES}
    problems = []
    for top in ("exercises", "solutions"):
        folder = root / top
        if folder.is_dir():
            problems += [f"{top}/{p.name}/ belongs to no stage of the catalogue"
                         for p in sorted(folder.iterdir())
                         if p.is_dir() and p.name[:2].isdigit() and p.name not in known]
    return problems


# --- a stage's files -----------------------------------------------------------------------

MIN_ALTERNATIVES = 3


def stage_file_problems(stage: Stage, root: Path = REPO_ROOT, stages: Sequence[Stage] = STAGES,
                        workshop: Workshop = WORKSHOP) -> list[str]:
    """Every file a stage is made of exists: one line per file forgotten (CONTRIBUTING.md).

    The catalogue entry is the stage itself; the rest: each attendee file and each given file
    in exercises/ and solutions/ (and a given file's source), the hidden tests, the deck, the
    mutants (after 00), at least three correct alternatives (after 00), its rows in the
    README's and the instructor guide's tables and in the recorded screens
    (document_problems). The last of `stages` also answers for what a stage added at the end
    leaves stale: the "all done" message, the tables' order and the total time
    (workshop_problems).
    """
    problems = []
    for top in ("exercises", "solutions"):
        for name in stage.all_files:
            if not (root / top / stage.id / name).is_file():
                is_given = name in stage.given_files
                kind = " (a given file: python -m grader.given writes it)" if is_given else ""
                problems.append(f"{top}/{stage.id}/{name} is missing{kind}")
    for given in stage.given:
        if not (root / given.source).is_file():
            problems.append(f"{given.source} is missing (the source of the given {given.name})")
    for path in (stage.test_file, stage.slides_file):
        if not (root / path).is_file():
            problems.append(f"{path} is missing")
    if stage.number > 0:
        mutants = root / "tests" / "mutants" / f"m{stage.id}.py"
        if not mutants.is_file():
            problems.append(f"tests/mutants/m{stage.id}.py is missing (one mutant per mistake)")
        folder = root / "tests" / "alternatives" / stage.id
        count = sum(1 for p in folder.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))) \
            if folder.is_dir() else 0
        if count < MIN_ALTERNATIVES:
            problems.append(f"tests/alternatives/{stage.id}/ holds {count} correct alternative(s); "
                            f"at least {MIN_ALTERNATIVES} guard the tests against over-fitting")
    problems += document_problems(stage, root)
    if stages and stage.id == stages[-1].id:
        problems += workshop_problems(stages, root, workshop)
    return problems


# --- what the documents say of the catalogue ------------------------------------------------
# Each is refreshed by hand or by a command; these checks fail, naming the file and the fix,
# as soon as one of them differs from the catalogue (a stage added, renamed, retimed).

README = "README.md"
GUIDE = "slides/instructor-guide.md"
SCREENS = "slides/screens"
PROGRESS_SCREENS = ("first-run", "all-done")  # the screens that show the table of stages
RECORD_SCREENS = "run `python -m grader.screens` to record them again"
TABLE_ROW = re.compile(r"^\| (\d\d) \| ([^|\n]+?) \| (\d+) min \|", re.MULTILINE)


def stage_row(stage: Stage) -> str:
    """The start of a stage's row in the README's and the instructor guide's tables."""
    return f"| {stage.number:02d} | {stage.title} | {stage.minutes} min |"


def table_rows(path: Path) -> list[tuple[str, str, int]]:
    """(number, title, minutes) of each row of a document's table of stages, in order."""
    text = path.read_text(encoding="utf-8")
    return [(n, t.strip(), int(m)) for n, t, m in TABLE_ROW.findall(text)]


def screen_text(path: Path, boxes: bool = False) -> str:
    """The words of a screen rich recorded as SVG, in order, wrapping taken out; the boxes'
    vertical lines too unless `boxes` (then a table's cells stay apart)."""
    svg = path.read_text(encoding="utf-8")
    parts = [html.unescape(p) for p in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.DOTALL)]
    return " ".join(" ".join(p if boxes else p.replace("\u2502", " ") for p in parts).split())


def _shown_in_table(stage: Stage, text: str) -> bool:
    # `NN │ title`, boxes kept: a long title wraps in the table, so its start is enough.
    return f"{stage.number:02d} \u2502 {stage.title.split(':')[0]}" in text


def total_time(stages: Sequence[Stage]) -> str:
    total = sum(s.minutes for s in stages)
    return f"{total // 60} h {total % 60:02d} min"


def document_problems(stage: Stage, root: Path = REPO_ROOT) -> list[str]:
    """The stage's rows in the README's and the instructor guide's tables, and in the screens."""
    problems = []
    for name in (README, GUIDE):
        path = root / name
        if path.is_file() and stage_row(stage) not in path.read_text(encoding="utf-8"):
            problems.append(f"{name}'s table of stages has no row `{stage_row(stage)}`")
    for name in PROGRESS_SCREENS:
        path = root / SCREENS / f"{name}.svg"
        if path.is_file():
            if not _shown_in_table(stage, screen_text(path, boxes=True)):
                problems.append(f"{SCREENS}/{name}.svg does not show stage {stage.id}: {RECORD_SCREENS}")
    return problems


def workshop_problems(stages: Sequence[Stage] = STAGES, root: Path = REPO_ROOT,
                      workshop: Workshop = WORKSHOP) -> list[str]:
    """What belongs to the whole workshop agrees with its stages (grader/catalogue/workshop.py):
    the capstone is a stage and its file, the "all done" message was written for the last stage
    and spells no number the catalogue knows, the tables list exactly the stages in order, the
    guide's total time is theirs, and the recorded all-done screen shows today's message."""
    where = "grader/catalogue/workshop.py"
    problems = []
    capstone = next((s for s in stages if s.id == workshop.capstone), None)
    if capstone is None:
        problems.append(f"{where}: the capstone {workshop.capstone!r} is not a stage of the catalogue")
    elif workshop.capstone_file not in capstone.files:
        problems.append(f"{where}: the capstone's runtime {workshop.capstone_file!r} is not one of "
                        f"stage {capstone.id}'s files {list(capstone.files)}")
    last = stages[-1]
    if workshop.all_done_written_for != last.id:
        problems.append(
            f"{where}: the \"all done\" message was written for a workshop that ends with "
            f"{workshop.all_done_written_for}, but the last stage is now {last.id}: say what the "
            f"attendee built by the end, then set all_done_written_for={last.id!r}")
    try:
        message = workshop.all_done_text(stages)
    except (KeyError, IndexError, ValueError) as error:
        problems.append(f"{where}: the \"all done\" message does not format ({error!r}); it may use "
                        "{stages}, {hours} and {minutes} only")
        message = None
    if re.search(r"\d", re.sub(r"\{[^}]*\}", "", workshop.all_done)):
        problems.append(f"{where}: the \"all done\" message spells a number: use {{stages}}, "
                        "{hours} and {minutes}, which the catalogue fills in")
    expected = [(f"{s.number:02d}", s.title, s.minutes) for s in stages]
    for name in (README, GUIDE):
        path = root / name
        rows = table_rows(path) if path.is_file() else expected
        if rows != expected:
            extra = [f"{n} {t} ({m} min)" for n, t, m in rows if (n, t, m) not in expected]
            missing = [f"{n} {t} ({m} min)" for n, t, m in expected if (n, t, m) not in rows]
            problems.append(f"{name}'s table of stages is not the catalogue's, in order "
                            f"(rows not in the catalogue: {extra}; stages without a row: {missing})")
    guide = root / GUIDE
    total = f"About {total_time(stages)} of exercises"
    if guide.is_file() and total not in guide.read_text(encoding="utf-8"):
        problems.append(f"{GUIDE}: the day's total should read `{total}` (the catalogue's minutes)")
    screens = root / SCREENS
    if message is not None and screens.is_dir():
        if " ".join(message.split()) not in screen_text(screens / "all-done.svg"):
            problems.append(f"{SCREENS}/all-done.svg does not show today's \"all done\" message "
                            f"({len(stages)} stages, {total_time(stages)}): {RECORD_SCREENS}")
        if workshop.title not in screen_text(screens / "first-run.svg"):
            problems.append(f"{SCREENS}/first-run.svg does not show the title {workshop.title!r}: "
                            f"{RECORD_SCREENS}")
    return problems


# --- mutants --------------------------------------------------------------------------------

def mutant_problems(verdict: Verdict) -> list[str]:
    """A mutant must make its stage fail, and the first failure must carry its own hint."""
    m = verdict.mutant
    if not verdict.caught:
        return [f"survived: every test passed with this mistake ({m.note})"]
    if verdict.hint != m.hint:
        return [f"caught by {verdict.test} with hint {verdict.hint!r}, expected {m.hint!r}: "
                f"{_one_line(verdict.message)}"]
    return []


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"
