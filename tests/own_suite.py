"""How the project's own suite runs: the whole suite in parallel, the exhaustive tier on request.

- **Parallel whole suite.** `python -m pytest` with no paths (the README's command) runs on
  pytest-xdist, one worker per CPU plus one: most tests wait on a grading child, so a spare
  worker keeps both CPUs busy. A run of chosen files or tests (`pytest tests/stages/...`, and
  every grading child, which names its test file) stays in one process; `-n N` or `-n 0`
  chooses for yourself, `-p no:xdist` turns it off. Without pytest-xdist installed (the
  `test` extra brings it) every run is serial.
- **Exhaustive tier.** Tests marked `exhaustive` (e.g. every mutant graded 20 times) are
  skipped, with the reason shown, unless `--exhaustive` is given; `.ci/run` runs them once
  after the README's command. Mark a check exhaustive only if a cheaper test of the default run
  already covers what it proves once; the mark trades repetition, not coverage.
- **Heavy tests first.** Tests marked `heavy` (many seconds each, e.g. a whole `grade verify`)
  are scheduled before the others, so no worker starts one when the rest are nearly done.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--exhaustive", action="store_true", default=False,
                     help="also run the tests marked exhaustive (slow: .ci/run runs them once)")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Before xdist reads `-n`: the whole suite, asked for without paths, gets workers."""
    if not config.pluginmanager.has_plugin("xdist") or hasattr(config, "workerinput"):
        return
    whole_suite = config.args_source == pytest.Config.ArgsSource.TESTPATHS
    if (whole_suite and config.option.numprocesses is None and not config.option.collectonly
            and not config.option.usepdb):
        config.option.numprocesses = (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--exhaustive"):
        skip = pytest.mark.skip(reason="exhaustive check: run with --exhaustive (.ci/run does)")
        for item in items:
            if item.get_closest_marker("exhaustive") is not None:
                item.add_marker(skip)
    # Stable sort: heavy tests first, each group in its collection order.
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)

