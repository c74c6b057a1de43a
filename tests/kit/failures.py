"""Failures that carry a hint id, so the grader can explain them."""

from __future__ import annotations

from typing import NoReturn


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
