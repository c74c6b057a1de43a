"""A pytest plugin for `bench.feedback`: the wall-clock seconds the model-based tests took.

Model-based tests (hypothesis: a `@given` test, or one that runs a `RuleBasedStateMachine`)
do their own work, hundreds of generated cases, which issue 16's speed goal leaves out. This
adds up the call time of those tests and writes it to the file named by `BENCH_MODEL_TIME`.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Iterator
from pathlib import Path

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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    global _total
    started = time.perf_counter()
    yield
    if is_model_based(item):
        _total += time.perf_counter() - started


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get("BENCH_MODEL_TIME")
    if path:
        Path(path).write_text(str(_total), encoding="utf-8")
