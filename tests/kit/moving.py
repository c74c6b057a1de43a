"""Rust's move, made visible in Python: why a future may move until its first poll (Pin).

Rust moves a value by copying its bytes to a new place; the old place is never used again
and nothing fixes up a pointer into it (Rust has no move constructors). An `async fn` future
holds only its arguments until its first poll, so `Box::pin(fut)`, `spawn(fut)` and
`join(a, b)` may move it. Its first poll may store a borrow of its own fields across an
`.await` (a self-referential state), so from then on it must stay put: `poll` takes
`Pin<&mut Self>`.

Python objects never move and a reference never dangles, so Python needs no Pin. `move()`
models the move for a test: a shallow copy (`copy.copy`: the same references in a new object,
as a memcpy copies pointers), after which the old object is a tombstone: any use of it raises
`UseAfterMove` (in Rust: a dangling pointer, undefined behaviour). The only thing a move breaks
is a reference to the old object itself: a bound method `self._step`, a closure or a generator
over `self`, a helper holding `self`. `refers_back()` finds such references, to name them.
(`copy.deepcopy` would rebind them through its memo, like a C++ move constructor: exactly what
a Rust move never does.)
"""

from __future__ import annotations

import copy
import functools
import types
from collections.abc import Iterator
from typing import Any, TypeVar

from kit.failures import HintedFailure

T = TypeVar("T")


class UseAfterMove(HintedFailure):
    """Something used an object after `move()` had moved it away (Rust: a dangling pointer)."""

    def __init__(self, hint: str, what: str, action: str) -> None:
        super().__init__(
            hint,
            f"{what} was moved to a new object before its first poll, and then something "
            f"{action} the old object, which a Rust move leaves behind as freed memory.",
        )
        self.what = what
        self.action = action


def move(value: T, *, what: str, hint: str) -> T:
    """Move `value` into a new object and return it; the old one raises `UseAfterMove`.

    `what` names the value in the failure ("UserAndOrders"), `hint` is the failure's hint.
    """
    moved = copy.copy(value)
    try:
        value.__class__ = _tombstone(type(value), what, hint)
    except TypeError:  # a layout `__class__` cannot be assigned to: leave the old one usable
        pass
    return moved


def refers_back(moved: object, old: object, depth: int = 3) -> list[str]:
    """Where `moved` (or what it holds, `depth` levels down) still refers to `old`.

    Each entry reads like "`_step` is a bound method of the old object". Only identity is
    compared, so nothing here touches the old object itself.
    """
    found: list[str] = []
    for name, value in _fields(moved):
        found.extend(_references(name, value, old, depth, set()))
    return found


def _tombstone(cls: type, what: str, hint: str) -> type:
    """A subclass of `cls` with the same layout whose every attribute use raises."""

    def __getattribute__(self: object, name: str) -> Any:
        raise UseAfterMove(hint, what, f"read `{name}` from")

    def __setattr__(self: object, name: str, value: object) -> None:
        raise UseAfterMove(hint, what, f"set `{name}` on")

    def __delattr__(self: object, name: str) -> None:
        raise UseAfterMove(hint, what, f"deleted `{name}` from")

    def __repr__(self: object) -> str:
        return f"<{cls.__name__}, moved away>"

    namespace = {
        "__slots__": (),  # the same layout as `cls`, so `__class__` can be assigned
        "__getattribute__": __getattribute__,
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
        "__repr__": __repr__,
    }
    return type(cls)(f"Moved{cls.__name__}", (cls,), namespace)


def _fields(value: object) -> Iterator[tuple[str, object]]:
    """The instance fields of `value`: its `__dict__` and its slots."""
    yield from getattr(value, "__dict__", {}).items()
    for klass in type(value).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot not in ("__dict__", "__weakref__") and hasattr(value, slot):
                yield slot, getattr(value, slot)


def _references(path: str, value: object, old: object, depth: int, seen: set[int]) -> list[str]:
    if value is old:
        return [f"`{path}` is the old object itself"]
    if id(value) in seen or depth == 0:
        return []
    seen.add(id(value))
    if getattr(value, "__self__", None) is old:
        return [f"`{path}` is a bound method of the old object (it keeps `self`)"]
    if isinstance(value, (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)):
        frame = getattr(value, "gi_frame", None) or getattr(value, "cr_frame", None)
        frame = frame or getattr(value, "ag_frame", None)
        if frame is not None and any(local is old for local in frame.f_locals.values()):
            return [f"`{path}` is a generator or coroutine whose frame holds the old object (`self`)"]
        return []
    if isinstance(value, types.FunctionType):
        cells = value.__closure__ or ()
        if any(_cell(cell) is old for cell in cells):
            return [f"`{path}` is a function that closes over the old object"]
        return []
    if isinstance(value, functools.partial):
        parts: list[object] = [value.func, *value.args, *value.keywords.values()]
        inner = [item for part in parts for item in _references(path, part, old, depth, seen)]
        return [f"`{path}` is a functools.partial of the old object"] if inner else []
    children: list[tuple[str, object]]
    if isinstance(value, (list, tuple, set, frozenset)):
        children = [(f"{path}[{i}]", item) for i, item in enumerate(value)]
    elif isinstance(value, dict):
        children = [(f"{path}[{key!r}]", item) for key, item in value.items()]
    elif isinstance(value, (str, bytes, int, float, type)) or value is None:
        return []
    else:
        children = [(f"{path}.{name}", item) for name, item in _fields(value)]
    found: list[str] = []
    for child_path, child in children:
        found.extend(_references(child_path, child, old, depth - 1, seen))
    return found


def _cell(cell: types.CellType) -> object:
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell
        return None
