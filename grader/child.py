"""The grading child's entry point: `python -m grader.child`, one process per run.

The parent may start it ahead of time (a *spare*, see `grader.runner`): it first imports what
every run needs (pytest and its plugins, hypothesis, the kit, `stdtask`, the grader's plugin),
then waits for one `protocol.RunRequest` line on its standard input, runs that one request in
this interpreter and exits. So the slow part of starting happens while the attendee edits,
without `fork` (this works on Windows too), and every run of the attendee's code still starts
from a fresh interpreter: nothing of the attendee's is imported before the request, and no
process serves two runs. The channel and its key arrive with the request, never in argv or the
environment; the request is read byte by byte up to its newline, so nothing of it is left
buffered for the attendee's code to find.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import sys

from grader.paths import REPO_ROOT
from grader.protocol import COLLECT, RunRequest

HYPOTHESIS = ("_hypothesis_pytestplugin", "hypothesis", "hypothesis.strategies", "hypothesis.stateful")


def warm(light: bool = False) -> None:
    """Import what `pytest.main` and the hidden tests will import (not the attendee's code).

    `light`: not hypothesis, which only some stages use (tests/conftest.py imports it for them):
    for a child that will be asked at once (a one-shot `grade`), not for one that waits.
    """
    tests = str(REPO_ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)  # the kit (pytest's `pythonpath` ini adds it again, harmlessly)
    import _pytest.config

    for name in _pytest.config.default_plugins:
        importlib.import_module(f"_pytest.{name}")
    for name in (*(() if light else HYPOTHESIS), "stdtask", "kit", "grader.catalogue",
                 "grader.child_plugin"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # not installed: pytest.main will say so, as it would have without a spare
    # Optimisation: what was imported stays; the garbage collector need not walk it again on
    # every collection (pytest collects at the end, tests may too: a big heap made that slow).
    gc.freeze()


def read_request() -> RunRequest:
    """The one line on standard input, read without any buffering beyond it."""
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(0, 1)
        if not chunk:
            raise SystemExit(0)  # the parent closed the pipe: this spare is not needed
        line += chunk
    return RunRequest.parse(line)


# pytest's plugins a grading run does not use: each registered plugin costs time at start
# (its fixtures are scanned); unraisableexception and threadexception call gc.collect()
# several times at the end. What they would report does not change a verdict. (The hidden
# tests use no fixture of unittest, tmpdir, recwarn or subtests.)
UNUSED_PLUGINS = ("doctest", "junitxml", "pastebin", "legacypath", "setuponly", "setupplan", "stepwise",
                  "unraisableexception", "threadexception", "cacheprovider", "unittest", "tmpdir",
                  "recwarn", "subtests")
# Plugins from other packages: only these, named, never whatever else is installed (the child's
# environment sets PYTEST_DISABLE_PLUGIN_AUTOLOAD). An attendee's pytest-randomly would reorder
# and reseed the hidden tests; and scanning every installed package for plugins cost ~15 ms a run.
NAMED_PLUGINS = ("_hypothesis_pytestplugin",)


def pytest_args(request: RunRequest) -> list[str]:
    """The pytest command line of a request (without the channel: it is the plugin's argument)."""
    common = [request.test_file, "-p", "grader.child_plugin", f"--target={request.target}",
              *(f"-pno:{name}" for name in UNUSED_PLUGINS),
              *(option for name in NAMED_PLUGINS if _installed(name) for option in ("-p", name)),
              "--color=no",
              # Hidden tests fail through kit.fail, never bare asserts: no rewriting of every
              # plugin module (hypothesis!) on import.
              "--assert=plain"]
    if request.mode == COLLECT:
        return [*common, "--collect-only", "-q"]
    args = [*common, "-q",
            # The plugin writes its own message of each failure: pytest need not format its
            # traceback (with source lines) too, which cost 0.5 s on a stub's 40 failures.
            "--tb=no",
            # (No pytest-timeout: our own watchdog, child_plugin, times tests, signal-free.)
            "-p", "no:faulthandler"]  # child_plugin sends crash stacks to its own file
    if request.first_failure:
        args.append("-x")
    return args


def _installed(module: str) -> bool:
    return module in sys.modules or importlib.util.find_spec(module) is not None


def channel_fd(request: RunRequest) -> int:
    if request.handle is not None:  # Windows: an inherited handle, not a C file descriptor
        import msvcrt

        return msvcrt.open_osfhandle(request.handle, os.O_WRONLY)  # type: ignore[attr-defined]
    assert request.fd is not None
    return request.fd


def run(request: RunRequest) -> int:
    """Serve one request in this (warm) interpreter: pytest.main with the grader's plugin.

    A grading run leaves through the plugin's `os._exit` after its `end` record; a collect run
    returns pytest's exit code. Shared by this entry point and a fork server's runner.
    """
    import pytest

    from grader.child_plugin import CollectPlugin, GradePlugin

    plugin: object = (CollectPlugin(request.listing) if request.mode == COLLECT
                      else GradePlugin(request, channel_fd(request)))
    args = pytest_args(request)
    sys.argv = [sys.argv[0], *args]
    return int(pytest.main(args, plugins=[plugin]))


def main() -> int:
    warm(light="--light" in sys.argv[1:])
    return run(read_request())


if __name__ == "__main__":
    raise SystemExit(main())
