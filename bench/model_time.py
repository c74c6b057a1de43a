"""A pytest plugin for `bench.feedback`: the wall-clock seconds the model-based tests took.

Model-based tests (hypothesis: a `@given` test, one that runs a `RuleBasedStateMachine`, or
the time a plain test spends in a `@given` function of its module)
do their own work, hundreds of generated cases, which issue 16's speed goal leaves out. This
adds up the call time of those tests and writes it to the file named by `BENCH_MODEL_TIME`.
"""

from __future__ import annotations

import functools
import inspect
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_total = 0.0


def is_model_based(item: pytest.Item) -> bool:
    function = getattr(item, "function", None)
    if function is None:
        return False
    if getattr(function, "is_hypothesis_test", False):
        return True
    try:
        return ".TestCase(" in inspect.getsource(function)
    except (OSError, TypeError):
        return False


def _timed(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        global _total
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _total += time.perf_counter() - started

    return timed


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Time a model-based test, or the `@given` functions of its module that a plain test calls."""
    global _total
    module = getattr(item, "module", None)
    if is_model_based(item) or module is None:
        started = time.perf_counter()
        yield
        if is_model_based(item):
            _total += time.perf_counter() - started
        return
    given = {name: value for name, value in vars(module).items()
             if getattr(value, "is_hypothesis_test", False)}
    for name, value in given.items():
        setattr(module, name, _timed(value))
    try:
        yield
    finally:
        for name, value in given.items():
            setattr(module, name, value)


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get("BENCH_MODEL_TIME")
    if path:
        Path(path).write_text(str(_total), encoding="utf-8")
