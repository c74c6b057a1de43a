"""Stage 00: the toolchain works, and the attendee's first edit turns red into green."""

from __future__ import annotations

import importlib
import sys

import pytest

from kit import expect, load_stage
from stdtask import Pending, Ready

stage = load_stage("00_setup")


@pytest.mark.hint("python_version")
def test_python_is_new_enough() -> None:
    version = ".".join(map(str, sys.version_info[:3]))
    expect(
        sys.version_info >= (3, 10),
        "python_version",
        f"The tests run on Python {version}; the workshop needs 3.10 or newer.",
    )


@pytest.mark.hint("packages")
@pytest.mark.parametrize("package", ["pytest", "hypothesis", "rich", "stdtask"])
def test_package_is_installed(package: str) -> None:
    try:
        importlib.import_module(package)
    except ImportError as error:
        expect(False, "packages", f"`import {package}` failed: {error}")


@pytest.mark.hint("first_edit")
def test_greeting() -> None:
    answer = stage.greeting()
    expect(
        isinstance(answer, str),
        "first_edit",
        f"greeting() returned {answer!r}, which is not a string (str).",
    )
    expect(
        answer == "Hello, Future!",
        "first_edit",
        f"greeting() returned {answer!r}; its docstring asks for a different string.",
    )


@pytest.mark.hint("first_poll")
def test_first_poll_is_ready_with_the_greeting() -> None:
    answer = stage.first_poll()
    expect(answer is not Pending, "first_poll", "first_poll() returned Pending.")
    expect(
        isinstance(answer, Ready),
        "first_poll",
        f"first_poll() returned {answer!r}, which is not a Poll: wrap it in Ready(...).",
    )
    expect(
        answer == Ready("Hello, Future!"),
        "first_poll",
        f"first_poll() returned {answer!r}: it should hold what greeting() returns.",
    )
