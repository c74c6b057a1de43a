"""The shared test kit: every stage's hidden tests use these pieces, none copies them.

- `fail` / `expect` / `HintedFailure`: a failure that names its hint id (see grader/catalogue).
- `load_stage`: import the attendee's (or the reference) file for a stage.
- `SpyWaker`, `ManualTask`: poll by hand, see who was woken, detect a lost waker.
- `ScriptedFuture`: Pending N times then Ready; records polls, drops, polls after Ready.
- `watchdog`: turn a hang (lost wakeup, deadlock) into a failing test with a hint.
"""

from kit.failures import HintedFailure, expect, fail
from kit.loader import load_stage
from kit.scripted import ScriptedFuture
from kit.spies import ManualTask, SpyWaker, poll_once
from kit.watchdog import watchdog

__all__ = [
    "HintedFailure",
    "ManualTask",
    "ScriptedFuture",
    "SpyWaker",
    "expect",
    "fail",
    "load_stage",
    "poll_once",
    "watchdog",
]
