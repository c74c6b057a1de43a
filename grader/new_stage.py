"""`python -m grader.new_stage NN_name --title "..." --minutes M --file name.py [--given SOURCE ...]`.

Writes the skeletons of the six files a stage is made of (CONTRIBUTING.md), each saying what
to write, adds the stage's row to the README's and the instructor guide's tables of stages,
and refreshes the guide's total time:

    grader/catalogue/sNN_name.py    title, minutes, files, goal, hints      (found by number)
    exercises/NN_name/<file>        the stub: docstrings that state each rule, todo() bodies
    solutions/NN_name/<file>        the reference: same public API
    tests/stages/test_NN_name.py    the hidden tests, each with its hint
    tests/mutants/mNN_name.py       one mutant per mistake
    slides/NN_name.md               the deck; every hint names one of its `## ` slides

With `--given solutions/06_spawn/spawn.py` (repeatable), the stage hands out that earlier
answer as a given file: the catalogue entry declares it (`Stage.given`) and the copies are
written into exercises/NN_name/ and solutions/NN_name/ (grader/given.py keeps them equal to
their source); the stub then imports it by its bare name and subclasses what it extends.

Then fill them in. Until every piece is there and right, the project's own tests and
`grade verify` fail, each naming what is missing (checks.stage_file_problems and the rest):
a solution that does not pass, a stub that does, no mutant, fewer than three correct
alternatives in tests/alternatives/NN_name/, a hint without a slide, an "all done" message
written for another last stage, screens that do not show the stage. After changing the stub
run `python -m grader.pristine`; after the README's screens change, `python -m grader.screens`.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from grader.paths import REPO_ROOT

STAGE_ID = re.compile(r"^(\d\d)_([a-z][a-z0-9_]*)$")
GUIDE = "slides/instructor-guide.md"
# Every file a new stage touches, NN_name standing for its id (CONTRIBUTING.md's recipe lists
# each; tests/grader/test_new_stage.py holds the two together). The scaffold writes the first
# six and the two tables; the rest are filled in or refreshed by hand or by a command.
TOUCHES = (
    "grader/catalogue/sNN_name.py",
    "exercises/NN_name/",
    "solutions/NN_name/",
    "tests/stages/test_NN_name.py",
    "tests/mutants/mNN_name.py",
    "slides/NN_name.md",
    "README.md",
    GUIDE,
    "tests/alternatives/NN_name/",
    "grader/pristine.json",
    "grader/catalogue/workshop.py",
    "slides/screens/",
    "pyproject.toml",
)


def skeletons(stage_id: str, title: str, minutes: int, file: str,
              given: tuple[str, ...] = ()) -> dict[str, str]:
    """Relative path -> content of the six files of a new stage (`given`: the sources of the
    files it hands out, e.g. "solutions/06_spawn/spawn.py")."""
    module = file.removesuffix(".py")
    slide = "What we build"
    declared = "".join(f'Given("{Path(source).name}", source="{source}"), ' for source in given)
    given_line = f"    given=({declared.rstrip()}),\n" if given else ""
    model = "Given, Hint, Stage" if given else "Hint, Stage"
    return {
        f"grader/catalogue/s{stage_id}.py": f'''from grader.model import {model}

STAGE = Stage(
    id="{stage_id}",
    title="{title}",
    minutes={minutes},
    files=("{file}",),
{given_line}    goal="One sentence: what the attendee builds in this stage.",
    hints=(
        Hint(
            id="first_mistake",
            title="The mistake's name, as an attendee would say it",
            symptom="What the attendee sees happen, in general.",
            why="The concept: why it matters.",
            check="The first question to ask of their code (shown in the failure panel).",
            pointer="Where to look, sharper than the question (hint level 1).",
            rust="The Rust counterpart (hint level 3), without writing the fix.",
            slide="{slide}",
        ),
    ),
)
''',
        f"exercises/{stage_id}/{file}": f'''"""Stage {stage_id[:2]}: {title}.

State every rule the tests check here, in the attendee's terms and in Rust's.
"""

from __future__ import annotations

from stdtask import todo


def example() -> int:
    """What it returns and why (Rust: the API it mirrors)."""
    todo("describe the first step")
''',
        f"solutions/{stage_id}/{file}": f'''"""Stage {stage_id[:2]}: {title} (reference).

The clearest idiomatic version, commented where the Rust parallel matters.
"""

from __future__ import annotations


def example() -> int:
    """What it returns and why (Rust: the API it mirrors)."""
    return 1
''',
        f"tests/stages/test_{stage_id}.py": f'''"""Hidden tests of stage {stage_id[:2]}: a targeted test per rule of the stub."""

from __future__ import annotations

import pytest

from kit import expect, load_stage

stage = load_stage("{stage_id}", "{module}")


@pytest.mark.hint("first_mistake")
def test_example_returns_one() -> None:
    result = stage.example()
    expect(result == 1, "first_mistake", f"example() returned {{result!r}}: say what that means.")
''',
        f"tests/mutants/m{stage_id}.py": f'''"""Mutants of stage {stage_id[:2]}: each mistake as a minimal edit of the solution."""

from grader.mutants import mutant

MUTANTS = [
    mutant("first_mistake", "{stage_id}", hint="first_mistake", file="{file}",
           find="    return 1\\n", replace="    return 0\\n", note="the first mistake, in one line"),
]
''',
        f"slides/{stage_id}.md": f'''# {title}

## {slide}

Two or three sentences, then a Rust block and its Python counterpart.

```rust
pub fn example() -> i32 {{
    1
}}
```

```python
def example() -> int:
    return 1
```
''',
    }


def add_readme_row(readme: Path, stage_id: str, title: str, minutes: int,
                   last_column: str = "what the attendee builds") -> bool:
    """Insert the stage's row after the last row of a document's table of stages."""
    text = readme.read_text(encoding="utf-8")
    rows = list(re.finditer(r"^\| \d\d \| [^\n]*\n", text, re.MULTILINE))
    if not rows:
        return False
    row = f"| {stage_id[:2]} | {title} | {minutes} min | {last_column} |\n"
    at = rows[-1].end()
    readme.write_text(text[:at] + row + text[at:], encoding="utf-8")
    return True


def refresh_guide(guide: Path, stage_id: str, title: str, minutes: int) -> bool:
    """The stage's row in the instructor guide's table, and the day's total time again."""
    if not add_readme_row(guide, stage_id, title, minutes, "where the room usually needs help"):
        return False
    text = guide.read_text(encoding="utf-8")
    total = sum(int(m) for m in re.findall(r"^\| \d\d \| [^|\n]+ \| (\d+) min \|", text, re.MULTILINE))
    text = re.sub(r"About \d+ h \d\d min of exercises",
                  f"About {total // 60} h {total % 60:02d} min of exercises", text)
    guide.write_text(text, encoding="utf-8")
    return True


def create(stage_id: str, title: str, minutes: int, file: str, root: Path = REPO_ROOT,
           given: tuple[str, ...] = ()) -> list[Path]:
    """Write the skeletons under `root` (and the given copies); never overwrite. Returns the
    files written."""
    if not STAGE_ID.match(stage_id):
        raise ValueError(f"a stage id is NN_name (two digits, a lower-case name), not {stage_id!r}")
    for source in given:
        if not (root / source).is_file():
            raise ValueError(f"the given file's source {source} does not exist")
        if Path(source).name == file:
            raise ValueError(f"{file} cannot be both the file the attendee edits and a given file")
    files = {root / rel: content
             for rel, content in skeletons(stage_id, title, minutes, file, given).items()}
    for source in given:
        for top in ("exercises", "solutions"):
            files[root / top / stage_id / Path(source).name] = (root / source).read_text(encoding="utf-8")
    existing = [str(p.relative_to(root)) for p in files if p.exists()]
    if existing:
        raise FileExistsError(f"already there, nothing written: {', '.join(existing)}")
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    (root / "tests" / "alternatives" / stage_id).mkdir(parents=True, exist_ok=True)
    if (root / "README.md").is_file():
        add_readme_row(root / "README.md", stage_id, title, minutes)
    if (root / GUIDE).is_file():
        refresh_guide(root / GUIDE, stage_id, title, minutes)
    return list(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.new_stage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage_id", help="e.g. 08_reactor")
    parser.add_argument("--title", required=True)
    parser.add_argument("--minutes", type=int, required=True)
    parser.add_argument("--file", required=True, help="the file the attendee edits, e.g. reactor.py")
    parser.add_argument("--given", action="append", default=[], metavar="SOURCE",
                        help="an earlier answer the stage hands out, e.g. solutions/07_timers/timers.py")
    args = parser.parse_args(argv)
    try:
        written = create(args.stage_id, args.title, args.minutes, args.file, given=tuple(args.given))
    except (ValueError, FileExistsError) as error:
        parser.error(str(error))
    for path in written:
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    if args.given:
        print("the given files are copies of their sources: edit the sources, then run "
              "`python -m grader.given`")
    print(f"added its rows to README.md's and {GUIDE}'s tables of stages (and the guide's total "
          "time). Now fill in the six files and the guide row's last column, add three correct "
          f"alternatives in tests/alternatives/{args.stage_id}/, run `python -m grader.pristine`; "
          "if the stage is the new last one, rewrite the \"all done\" message in "
          "grader/catalogue/workshop.py (and its capstone if `grade bench` should race this "
          "stage's runtime); then `python -m grader.screens`, and `grade verify` until it is "
          "clean (CONTRIBUTING.md).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
