"""The workshop as a whole: its title, its capstone, and the message when every stage passes.

Data, like the stages: `grade`, `grade bench` and the screens read it from here, and the
freshness checks (grader.checks.workshop_problems) hold it to the stages.
"""

from grader.model import Workshop

WORKSHOP = Workshop(
    title="Rediscovering the Future",
    capstone="07_timers",
    capstone_file="timers.py",
    all_done=(
        "You rebuilt async from the Future trait up to a runtime with timers and I/O: "
        "{stages} stages, about {hours} h {minutes:02d} min of workshop. "
        "The reference answers are in `solutions/`: read them side by side with yours."
    ),
    all_done_written_for="08_reactor",
)
