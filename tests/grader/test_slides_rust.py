"""Rust snippets in the slides that claim to compile do compile (where `rustc` exists).

mdBook's convention (CONTRIBUTING.md): ```rust must compile on its own as a std-only library
(`rustc --edition 2021 --crate-type lib`), ```rust,ignore is a fragment (not compiled),
```rust,compile_fail,E0382 is deliberately wrong and must fail for the stated reason: rustc's
output names that error code (rustdoc's convention). Every Rust block that is not a fragment is
paired with the Python counterpart right after it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader import checks

ERROR_CODE = re.compile(r"E\d{4}")
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    deck: str  # e.g. "01_future.md"
    line: int  # of the opening fence
    tags: tuple[str, ...]  # ("rust",), ("rust", "ignore"), ...
    code: str
    next_tags: tuple[str, ...] | None  # tags of the block right after, if nothing is between

    @property
    def id(self) -> str:
        return f"{self.deck}:{self.line}"

    @property
    def compiles(self) -> bool:
        return "compile_fail" not in self.tags

    @property
    def error_codes(self) -> list[str]:
        return [tag for tag in self.tags if ERROR_CODE.fullmatch(tag)]


def blocks_of(deck: Path) -> list[Block]:
    text = deck.read_text(encoding="utf-8")
    fences = list(FENCE.finditer(text))
    found = []
    for index, fence in enumerate(fences):
        tags = tuple(t.strip() for t in fence.group(1).split(",") if t.strip())
        if not tags or tags[0] != "rust":
            continue
        after = fences[index + 1] if index + 1 < len(fences) else None
        adjacent = after is not None and not text[fence.end():after.start()].strip()
        next_tags = tuple(t.strip() for t in after.group(1).split(",")) if after and adjacent else None
        line = text.count("\n", 0, fence.start()) + 1
        found.append(Block(deck.name, line, tags, fence.group(2), next_tags))
    return found


BLOCKS = [b for deck in checks.stage_decks() for b in blocks_of(deck)]
TO_COMPILE = [b for b in BLOCKS if "ignore" not in b.tags]


def find_rustc() -> str | None:
    found = shutil.which("rustc")
    if found:
        return found
    cargo = Path.home() / ".cargo" / "bin" / ("rustc.exe" if os.name == "nt" else "rustc")
    return str(cargo) if cargo.is_file() else None


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """Every block to compile, compiled in parallel: id -> (rustc's exit code, its messages)."""
    rustc = find_rustc()
    if rustc is None:
        pytest.skip("rustc is not installed (not on PATH, not in ~/.cargo/bin): Rust snippets not checked")
    folder = tmp_path_factory.mktemp("rust")

    def compile_one(numbered: tuple[int, Block]) -> tuple[str, tuple[int, str]]:
        number, block = numbered
        source = folder / f"slide_{number}.rs"
        source.write_text(block.code, encoding="utf-8")
        done = subprocess.run(
            [rustc, "--edition", "2021", "--crate-type", "lib", "--crate-name", f"slide_{number}",
             "--emit=metadata", "--out-dir", str(folder), "-A", "warnings", str(source)],
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        )
        return block.id, (done.returncode, done.stderr)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(pool.map(compile_one, enumerate(TO_COMPILE)))


@pytest.mark.parametrize("block", TO_COMPILE, ids=[b.id for b in TO_COMPILE])
def test_rust_block_compiles_as_claimed(block: Block, compiled: dict[str, tuple[int, str]]) -> None:
    code, messages = compiled[block.id]
    if block.compiles:
        assert code == 0, (f"slides/{block.deck}, line {block.line}: this ```rust block does not "
                           f"compile (tag it rust,ignore if it is a fragment):\n{messages}")
    else:
        assert code != 0, (f"slides/{block.deck}, line {block.line}: this ```rust,compile_fail block "
                           "compiles; it is meant to show an error")
        assert block.error_codes, (f"slides/{block.deck}, line {block.line}: a compile_fail block names "
                                   "the error it shows, e.g. ```rust,compile_fail,E0382")
        for error in block.error_codes:
            assert f"error[{error}]" in messages, (
                f"slides/{block.deck}, line {block.line}: meant to fail with {error}, but rustc said:\n"
                f"{messages}")


@pytest.mark.parametrize("block", TO_COMPILE, ids=[b.id for b in TO_COMPILE])
def test_rust_block_is_paired_with_python(block: Block) -> None:
    assert block.next_tags is not None and block.next_tags[0] == "python", (
        f"slides/{block.deck}, line {block.line}: a ```{','.join(block.tags)} block is shown side by "
        "side with its Python counterpart: put a ```python block right after it")


def test_the_slides_have_rust_to_check() -> None:
    assert TO_COMPILE, "no ```rust block in slides/NN_*.md: is the fence pattern right?"


def test_fence_tags_are_understood() -> None:
    known = {"ignore", "compile_fail", "no_run", "should_panic", "edition2021"}
    odd = [f"{b.id}: {','.join(b.tags)}" for b in BLOCKS
           if {tag for tag in b.tags[1:] if not ERROR_CODE.fullmatch(tag)} - known]
    assert not odd, f"Rust fence tags this check does not know: {odd}"
