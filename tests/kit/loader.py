"""Load a stage's module from `exercises/`, `solutions/` or any folder laid out like them.

The target is chosen once per test run (`pytest --target ...`, default `solutions`);
stage tests call `load_stage("01_future")` at import time and test the module it returns.
A stage file may import its siblings by their bare names (the given files: `from spawn import
Executor` in 07_timers/timers.py); they load from the same folder of the same target, and
never collide with another stage's file of the same name (see `_sibling_imports`).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from grader.paths import REPO_ROOT, target_path

_target_dir: Path = REPO_ROOT / "solutions"
_cache: dict[Path, ModuleType] = {}


def set_target(target: str) -> None:
    """`exercises`, `solutions`, or a path to a folder with the same stage layout."""
    global _target_dir
    _target_dir = target_path(target)


def target_dir() -> Path:
    return _target_dir


def stage_file(stage_id: str, module: str | None = None) -> Path:
    """Path of `module` (default: the stage's name without its number) in the target."""
    name = module or stage_id.split("_", 1)[1]
    return _target_dir / stage_id / f"{name}.py"


def load_stage(stage_id: str, module: str | None = None) -> ModuleType:
    """Import a stage file by path (stage folders start with a digit, so not by name)."""
    path = stage_file(stage_id, module)
    if path in _cache:
        return _cache[path]
    if not path.exists():
        if _target_dir == REPO_ROOT / "solutions" and not _target_dir.is_dir():
            import pytest

            pytest.skip("solutions/ is not in this student copy: grade your exercises with `grade`",
                        allow_module_level=True)
        raise FileNotFoundError(f"{path} does not exist")
    module_name = f"_stage_{stage_id}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    with _sibling_imports(path.parent) as siblings:
        sys.modules[module_name] = loaded  # dataclasses and pickling look modules up here
        siblings[path.stem] = loaded  # a sibling's `import <stem>` gets this very module
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[module_name]
            del siblings[path.stem]
            raise
    _cache[path] = loaded
    return loaded


# Stage folder -> {bare module name: module}: the modules of that folder, as its files import
# each other (`from spawn import Executor` in 07_timers/timers.py, a given file).
_siblings: dict[Path, dict[str, ModuleType]] = {}


@contextmanager
def _sibling_imports(folder: Path) -> Iterator[dict[str, ModuleType]]:
    """While a stage file runs its imports: its folder first on sys.path, and the bare names of
    its sibling files bound to *this folder's* modules only.

    Stages hand out earlier answers as given files under the same names (07_timers/spawn.py,
    08_reactor/spawn.py and timers.py), and the project's own pytest run loads every stage in
    one process: whatever another folder bound to those names is put aside meanwhile and put
    back afterwards, so two stages' `spawn` modules never meet in sys.modules.
    """
    names = {p.stem for p in folder.glob("*.py")}
    mine = _siblings.setdefault(folder, {})
    saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    sys.modules.update(mine)
    sys.path.insert(0, str(folder))
    try:
        yield mine
    finally:
        sys.path.remove(str(folder))
        for name in names:
            module = sys.modules.pop(name, None)
            origin = getattr(module, "__file__", None)
            if module is not None and origin is not None and Path(origin).parent == folder:
                mine[name] = module
                _cache.setdefault(folder / f"{name}.py", module)
        sys.modules.update(saved)
