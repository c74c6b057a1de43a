"""Tell a kept `Context` apart from a lost waker.

A future that stores `cx` itself (not `cx.waker`) returns Pending while holding a context
that expires when the poll returns: the waker it was lent is then held by nobody, and a
plain `ManualTask` reports a *lost* waker. `LifetimeCheckedTask` looks first for a
`Context` still reachable from the future and names the real mistake
(`context_outlived_poll`, Rust: `Context<'_>` cannot outlive the poll).
"""

from __future__ import annotations

import gc
import types
from typing import Any, TypeVar

from kit.failures import fail
from kit.spies import ManualTask
from stdtask import Context

T = TypeVar("T")

_OPAQUE = (type, types.ModuleType, types.CodeType, types.FrameType, types.BuiltinFunctionType)


def holds_context(root: object, max_depth: int = 5, max_objects: int = 5000) -> bool:
    """Is a `Context` reachable from `root` through its attributes, containers and closures?"""
    seen: set[int] = {id(root)}
    layer: list[Any] = [root]
    for _ in range(max_depth):
        following: list[Any] = []
        for obj in layer:
            if isinstance(obj, types.FunctionType):
                referents: list[Any] = list(obj.__closure__ or ())  # not its globals
            else:
                referents = gc.get_referents(obj)
            for ref in referents:
                if isinstance(ref, Context):
                    return True
                if id(ref) in seen or isinstance(ref, _OPAQUE):
                    continue
                seen.add(id(ref))
                following.append(ref)
                if len(seen) > max_objects:
                    return False
        layer = following
    return False


class LifetimeCheckedTask(ManualTask[T]):
    """A `ManualTask` that, when the waker was not kept, checks whether the Context was."""

    def _fail_waker_dropped(self, context_kept: bool = False) -> None:
        if context_kept or holds_context(self.future):
            fail(
                "context_outlived_poll",
                f"{self.subject} returned Pending and kept the Context `cx` it was polled with, "
                "instead of its waker `cx.waker`. That Context expired when the poll returned: "
                "waking the task through it later raises ContextExpired.",
            )
        super()._fail_waker_dropped(context_kept)
