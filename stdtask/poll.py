"""`Poll`: the answer a future gives each time it is polled (Rust: `std::task::Poll`).

    result = fut.poll(cx)
    if result is not Pending:       # a type checker narrows `result` to Ready[T] here
        return result.value

    match fut.poll(cx):
        case Ready(value):          # or: case Poll.Ready(value)
            ...
        case Poll.Pending:          # a dotted name, so `match` compares instead of binding
            ...                     # (type-checked code writes `case _:`, see below)

`Ready(None)` is a finished future whose output is `None`; it is never confused with
`Pending`, which is a distinct singleton. Neither has a truth value: `if fut.poll(cx):`
is always a bug, so it raises instead of silently being true.

Types: a type checker sees `Poll[T]` as the union `Ready[T] | Pending`, Rust's two
variants. `Pending` is the one member of an enum, which is what lets `is Pending` /
`is not Pending` narrow the union (mypy and pyright narrow `is` only for enum members
and None). At runtime `Poll` is also the common base class, with `Poll.Ready` and
`Poll.Pending` mirroring Rust's paths; type checkers do not see those two attributes of a
union, so type-checked code matches `case _:` after `case Ready(value):`.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Final, Generic, Literal, NoReturn, TypeAlias, TypeVar

T_co = TypeVar("T_co", covariant=True)

_NO_TRUTH = (
    "a Poll has no truth value: use `match`, `poll is Pending`, or `poll.is_ready()` "
    "(Ready(None) and Ready(0) are finished futures, not Pending)"
)


class _Poll(Generic[T_co]):
    """Base type of `Ready(value)` and `Pending` (at runtime `Poll` is this class)."""

    __slots__ = ()

    def is_ready(self) -> bool:
        return isinstance(self, Ready)

    def is_pending(self) -> bool:
        return self is Pending

    def __bool__(self) -> NoReturn:
        raise TypeError(_NO_TRUTH)


class Ready(_Poll[T_co]):
    """The future has finished with `value` (Rust: `Poll::Ready(value)`)."""

    __slots__ = ("value",)
    __match_args__ = ("value",)

    def __init__(self, value: T_co) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ready) and self.value == other.value

    def __hash__(self) -> int:
        return hash((Ready, self.value))

    def __repr__(self) -> str:
        return f"Ready({self.value!r})"


class _PendingType(_Poll[NoReturn], Enum):
    """The future cannot finish yet and has arranged to be woken (Rust: `Poll::Pending`).

    An enum with one member: a singleton (also through pickle and copy) that `is` narrows.
    """

    Pending = "Pending"

    @property
    def value(self) -> NoReturn:  # an enum member has `.value`; Pending has no output
        raise AttributeError("Pending has no value: check `poll is Pending` (or match) first")

    def __repr__(self) -> str:
        return "Pending"

    __str__ = __repr__


Pending: Final = _PendingType.Pending

if TYPE_CHECKING:
    Poll: TypeAlias = Ready[T_co] | Literal[_PendingType.Pending]
else:
    Poll = _Poll
    Poll.__name__ = Poll.__qualname__ = "Poll"
    Poll.Ready = Ready
    Poll.Pending = Pending
