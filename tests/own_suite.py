"""How the project's own suite runs: the whole suite in parallel, the exhaustive tier on request.

- **Parallel whole suite.** `python -m pytest` with no paths (the README's command) runs on
  pytest-xdist, three workers per CPU: most tests wait on a grading child, so spare
  workers keep the CPUs busy. A run of chosen files or tests (`pytest tests/stages/...`, and
  every grading child, which names its test file) stays in one process; `-n N` or `-n 0`
  chooses for yourself, `-p no:xdist` turns it off. Without pytest-xdist installed (the
  `test` extra brings it) every run is serial.
- **The hidden tests, directly.** `tests/stages/` run against the solutions in pytest itself
  only when asked for (`pytest tests/stages`) and in the exhaustive tier: the whole suite
  grades every solution through the grader already (tests/grader/test_cli.py).
- **Exhaustive tier.** Tests marked `exhaustive` (e.g. every mutant graded 20 times) are
  skipped, with the reason shown, unless `--exhaustive` is given; `.ci/run` runs them once
  after the README's command. Mark a check exhaustive only if a cheaper test of the default run
  already covers what it proves once; the mark trades repetition, not coverage.
- **Fork server.** Gradings in this suite are forked from the repository's warm fork server
  (`grader.forkserver`, Linux) like an attendee's; the whole-suite run stops it at its end and
  gives the servers it starts a one-minute idle limit.
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
        config.option.numprocesses = workers()


def workers() -> int:
    """Three per CPU (at most 16): most tests wait, on a grading child or on a watchdog's limit
    (a blocked test is named after 3 s of waiting), so two per CPU left the CPUs idle a third
    of the time. Measured on 2 CPUs: 3 workers 123 s, 4: 102 s, 6: 99 s."""
    return min(3 * (os.cpu_count() or 1), 16)


def _whole_suite_controller(config: pytest.Config) -> bool:
    """The process that runs the whole suite (not an xdist worker, not a run of chosen tests)."""
    return (not hasattr(config, "workerinput")
            and config.args_source == pytest.Config.ArgsSource.TESTPATHS)


def _whole_suite(config: pytest.Config) -> bool:
    """This process runs (its share of) the whole suite: the controller, or one of its workers."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return _whole_suite_controller(config)
    return bool(workerinput.get("whole_suite"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """(pytest-xdist) Tell each worker whether it runs a share of the whole suite."""
    config = node.config  # type: ignore[attr-defined]
    node.workerinput["whole_suite"] = _whole_suite_controller(config)  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    if _whole_suite_controller(config):
        # Fork servers started by this run (the repository's, and those of the copies tests
        # make) end a minute after their last use, not after a workshop's twenty.
        os.environ["GRADE_FORKSERVER_IDLE"] = "60"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _whole_suite_controller(config):
        from grader import forkserver

        forkserver.shutdown()


@pytest.hookimpl(tryfirst=True)  # its marks before pytest's -m selects by them
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _whole_suite(config):
        # The hidden tests themselves, run directly against the solutions: the whole suite
        # already grades every solution through the grader (test_cli.py's JSON contract), so
        # here they are a repetition, for the exhaustive tier (`pytest tests/stages` runs them).
        stages = os.path.join(str(config.rootpath), "tests", "stages")
        for item in items:
            if str(item.path).startswith(stages + os.sep):
                item.add_marker(pytest.mark.exhaustive)
    if not config.getoption("--exhaustive"):
        skip = pytest.mark.skip(reason="exhaustive check: run with --exhaustive (.ci/run does)")
        for item in items:
            if item.get_closest_marker("exhaustive") is not None:
                item.add_marker(skip)
    # Stable sort: heavy tests first, each group in its collection order.
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)

