"""Poll with a Context the test owns, and see whether the future kept it after the poll.

Rust's `Context<'_>` is borrowed for one call of `poll`: `self.cx = cx` does not compile.
Python cannot stop it, so the kit expires every Context it lends (using it later raises
`ContextExpired`), and this module also spots a future that merely *keeps* one: after the
poll, nothing but the test may still refer to the Context.
"""

from __future__ import annotations

import gc
import types
from typing import TypeVar

from kit.failures import fail
from stdtask import Context, Future, Poll, Waker

T = TypeVar("T")


def poll_keeping_watch(future: Future[T], waker: Waker, hint: str, what: str) -> Poll[T]:
    """Poll `future` once with a fresh Context around `waker`, expire it, and fail with
    `hint` if the future (or anything it made) still refers to that Context afterwards."""
    cx = Context(waker)
    try:
        result = future.poll(cx)
    finally:
        cx.expire()
    holders = [r for r in gc.get_referrers(cx) if not isinstance(r, types.FrameType)]
    if holders:
        fail(hint, f"{what} returned {result!r} but kept the Context it was polled with "
                   f"(held by a {type(holders[0]).__name__}). A Context is only valid during "
                   "its poll; keep `cx.waker` instead.")
    return result
