"""`grade list`: every stage and where the attendee is; runs nothing (cached verdicts only)."""

from __future__ import annotations

import argparse

from grader import render
from grader.model import Stage
from grader.progression import Progression
from grader.session import EXIT_PASSED, Session


def show_list(session: Session, stage: Stage | None, args: argparse.Namespace) -> int:
    """Every stage with its status (grader.progression decides which), and each one's goal."""
    progression = Progression(session)
    session.results.update(progression.listing())
    render.stage_list(session.console, progression.stages, session.results)
    return EXIT_PASSED
