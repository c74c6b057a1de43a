"""Watch mode's keys: arrows, PgUp/PgDn and Windows' two-character codes never quit or trigger
anything; keys are not advertised where none can be read. The POSIX test drives `grade watch`
in a real pseudo-terminal, as a person at a keyboard would."""

from __future__ import annotations

import argparse
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import make_target
from grader.catalogue import find_stage
from grader.keys import NoKeys, read_key
from grader.paths import REPO_ROOT
from grader.progress import Progress
from grader.session import Session
from grader.watch import footer
from tests_support import GOOD_SETUP


class Typed:
    """Keys as a terminal delivers them: one character per read, None once nothing is left."""

    def __init__(self, text: str) -> None:
        self.chars = list(text)

    def read(self, timeout: float) -> str | None:
        return self.chars.pop(0) if self.chars else None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("\x1b[A", "\x1b[A"), ("\x1b[6~", "\x1b[6~"), ("\x1b[1;5C", "\x1b[1;5C"), ("\x1bOB", "\x1bOB"),
     ("\xe0H", "\xe0H"), ("\x00P", "\x00P"), ("h", "h")],
)
def test_a_key_press_is_read_whole(typed: str, expected: str) -> None:
    keys = Typed(typed + "h")  # something typed after it must stay a key of its own
    assert read_key(keys, 0.1) == expected
    if expected != "h":
        assert read_key(keys, 0.1) == "h"


def test_a_lone_escape_and_alt_keys() -> None:
    assert read_key(Typed("\x1b"), 0.1) == "\x1b"  # nothing follows: Esc itself
    assert read_key(Typed("\x1bq"), 0.1) == "\x1bq"  # Alt+q, not Esc then q (which quits)


def test_keys_are_not_advertised_without_a_console(tmp_path: Path) -> None:
    setup = find_stage("00_setup")
    assert setup is not None
    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    session = Session("custom", target, None, Progress(tmp_path / "p.json"), True, 10.0)  # type: ignore[arg-type]
    assert "[h] hint" in footer(session, setup, True)
    quiet = footer(session, setup, True, with_keys=False)
    assert "[h]" not in quiet and "[q]" not in quiet and "Ctrl-C" in quiet
    assert not isinstance(argparse.Namespace(), NoKeys)


@pytest.mark.skipif(os.name == "nt", reason="a POSIX pseudo-terminal")
def test_arrows_and_page_keys_do_not_quit_watch(tmp_path: Path) -> None:
    import pty

    target = make_target(tmp_path, "00_setup", {"setup.py": GOOD_SETUP})
    env = {**os.environ, "GRADE_PROGRESS": str(tmp_path / "progress.json"), "COLUMNS": "100",
           "TERM": "xterm"}
    leader, follower = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "grader.cli", "watch", "0", "--target", str(target)],
                             cwd=REPO_ROOT, env=env, stdin=follower, stdout=follower, stderr=follower,
                             start_new_session=True)
    os.close(follower)
    seen = b""

    def read_until(marker: bytes, limit: float = 60.0) -> bytes:
        nonlocal seen
        deadline = time.monotonic() + limit  # a bound on waiting, not a timing assertion
        while marker not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:
                    break
        return seen

    try:
        assert b"Watching" in read_until(b"Watching"), seen.decode(errors="replace")
        before = seen.count(b"Watching")
        os.write(leader, b"\x1b[A\x1b[B\x1b[5~\x1b[6~\x1b[C")  # up, down, PgUp, PgDn, right
        os.write(leader, b"l")  # then a real key: the list shows, so watch is still there
        read_until(b"Status")
        assert child.poll() is None, "an arrow or page key ended watch"
        assert b"Status" in seen, seen.decode(errors="replace")
        os.write(leader, b"q")
        assert child.wait(timeout=30) == 0
        read_until(b"Stopped watching", 5)
        assert b"Stopped watching" in seen
        assert seen.count(b"Watching") >= before
        assert b"[A" not in seen.split(b"Status", 1)[0][-200:]  # no arrow echoed at the prompt
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(leader)
