"""Load a stage's module from `exercises/`, `solutions/` or any folder laid out like them.

The target is chosen once per test run (`pytest --target ...`, default `solutions`);
stage tests call `load_stage("01_future")` at import time and test the module it returns.
"""

from __future__ import annotations

import importlib.util
import sys
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
    sys.modules[module_name] = loaded  # dataclasses and pickling look modules up here
    stage_dir = str(path.parent)
    sys.path.insert(0, stage_dir)  # a stage may split into several files beside each other
    try:
        spec.loader.exec_module(loaded)
    except BaseException:
        del sys.modules[module_name]
        raise
    finally:
        sys.path.remove(stage_dir)
    _cache[path] = loaded
    return loaded
