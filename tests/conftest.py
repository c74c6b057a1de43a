"""Root conftest: choose what the stage tests test, and make hypothesis deterministic."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings

from kit.loader import set_target

# Parallel whole-suite runs and the exhaustive tier (tests/own_suite.py).
pytest_plugins = ("own_suite",)

# Same verdict every run: derandomized (seed from the test itself), no example database.
settings.register_profile(
    "grading",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
    # No "explain" phase: it traces every line and can take minutes on a failing stateful test.
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
)
settings.load_profile("grading")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--target",
        default="solutions",
        help="what the stage tests test: exercises, solutions, or a folder laid out like them",
    )


def pytest_configure(config: pytest.Config) -> None:
    set_target(config.getoption("--target"))
