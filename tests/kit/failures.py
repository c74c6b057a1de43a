"""Failures that carry a hint id, so the grader can explain them."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

R = TypeVar("R")


class HintedFailure(AssertionError):
    """A test failure tied to one hint of the stage's catalogue (grader/catalogue)."""

    def __init__(self, hint: str, message: str) -> None:
        super().__init__(message)
        self.hint = hint
        self.message = message


def fail(hint: str, message: str) -> NoReturn:
    """Fail the test with `hint`; `message` says what happened, in the attendee's terms."""
    raise HintedFailure(hint, message)


def expect(condition: object, hint: str, message: str) -> None:
    """`fail(hint, message)` unless `condition` holds."""
    if not condition:
        raise HintedFailure(hint, message)


def raised(error: BaseException) -> str:
    """`ValueError: text (mutex.py, line 12, in poll)`: the error and where it came from."""
    frames = traceback.extract_tb(error.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        where = f" ({Path(last.filename).name}, line {last.lineno}, in {last.name})"
    return f"{type(error).__name__}: {error}{where}"


def call(hint: str, what: str, action: Callable[[], R]) -> R:
    """Run `action`; an unexpected exception becomes a failure with `hint` that says where.

    A `todo()` still reaches the grader as "not started", and kit failures pass through.
    """
    from stdtask import TodoError

    try:
        return action()
    except (HintedFailure, TodoError):
        raise
    except Exception as error:
        fail(hint, f"{what} raised {raised(error)}")
