"""What a `grade` run reports beyond the screen: `--json` (SPEC §5), also sent to the room.

The layout is versioned (`JSON_VERSION`); `grade summary` and the room read it back
(grader.summary.parse_result) and refuse another version.
"""

from __future__ import annotations

from grader.catalogue import STAGES
from grader.results import StageResult
from grader.session import Session

JSON_VERSION = 1  # of `--json`'s layout (SPEC §5); `grade summary` and the room check it


def json_report(session: Session) -> dict[str, object]:
    """Every stage with this run's result (`not_run` where it has none), as plain data."""
    stages = []
    for stage in STAGES:
        result = session.results.get(stage.id) or StageResult(stage.id, "not_run")
        stages.append(
            {
                "id": stage.id,
                "title": stage.title,
                "status": result.status,
                "cached": result.cached,  # from the progress file, not run this time
                "tests": [
                    {
                        "name": t.name,
                        "status": t.status,
                        "hint": t.hint,
                        "message": t.message,
                        "location": t.location,
                    }
                    for t in result.tests
                ],
            }
        )
    return {"version": JSON_VERSION, "target": session.target, "stages": stages}
