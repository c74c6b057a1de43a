"""Root conftest: the hidden tests' plugin, and a deterministic hypothesis profile.

`--target` (what the stage tests test) and the `hint` marker are declared once, by the
grader's plugin for the hidden tests (`grader/child_plugin.py`), which the grading child
loads too; the project's own suite gets them here.

The hypothesis profile is loaded just before the first test module that uses hypothesis is
imported (its `@settings` take their defaults from it then), not in every run: a stage whose
tests don't use hypothesis is graded without importing it (about 0.15 s of CPU saved).
"""

from __future__ import annotations

import sys

import pytest

# The grading plugin (the --target option, the hint marker) and how the whole suite runs
# (parallel, the exhaustive tier: tests/own_suite.py).
pytest_plugins = ("grader.child_plugin", "own_suite")

_profile_loaded = False


def _import_hypothesis_unrewritten() -> None:
    """Import hypothesis without pytest's assert rewriting (optimisation, the own suite's).

    pytest rewrites the asserts of every module of an installed plugin's package, and hypothesis
    is one. A library's own asserts need no rewriting, and where no bytecode is cached
    (PYTHONDONTWRITEBYTECODE) it cost about a second of CPU in every xdist worker. (A grading
    child runs with --assert=plain: there is no hook to step around.)
    """
    hooks = [finder for finder in sys.meta_path if type(finder).__name__ == "AssertionRewritingHook"]
    for hook in hooks:
        sys.meta_path.remove(hook)
    try:
        import hypothesis.stateful
        import hypothesis.strategies  # noqa: F401
    finally:
        sys.meta_path[0:0] = hooks


def load_grading_profile() -> None:
    """Same verdict every run: derandomized (seed from the test itself), no example database."""
    global _profile_loaded
    _import_hypothesis_unrewritten()
    from hypothesis import HealthCheck, Phase, settings

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
    _profile_loaded = True


def pytest_configure(config: pytest.Config) -> None:
    if "hypothesis" in sys.modules:  # already imported (a warm grading child): load it at once
        load_grading_profile()


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Just before a test module is imported: load the profile if it mentions hypothesis."""
    if _profile_loaded or not isinstance(collector, pytest.Module):
        return
    if "hypothesis" in sys.modules or b"hypothesis" in collector.path.read_bytes():
        load_grading_profile()


def pytest_collection_finish(session: pytest.Session) -> None:
    if "hypothesis" in sys.modules and not _profile_loaded:
        raise pytest.UsageError("a test module imported hypothesis without naming it, so its settings "
                                "missed the grading profile: import hypothesis in that module itself")
