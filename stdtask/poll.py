"""`Poll`: the answer a future gives each time it is polled (Rust: `std::task::Poll`).

    match fut.poll(cx):
        case Ready(value):   # or: case Poll.Ready(value)
            ...
        case Poll.Pending:   # a dotted name, so `match` compares instead of binding
            ...

`Ready(None)` is a finished future whose output is `None`; it is never confused with
`Pending`, which is a distinct singleton. Neither has a truth value: `if fut.poll(cx):`
is always a bug, so it raises instead of silently being true.
"""

from __future__ import annotations

from typing import Any, Generic, NoReturn, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

_NO_TRUTH = (
    "a Poll has no truth value: use `match`, `poll is Pending`, or `poll.is_ready()` "
    "(Ready(None) and Ready(0) are finished futures, not Pending)"
)


class Poll(Generic[T_co]):
    """Base type of `Ready(value)` and `Pending`; `Poll.Ready` and `Poll.Pending` mirror Rust's paths."""

    __slots__ = ()
    Ready: type[Ready[Any]]
    Pending: _PendingType

    def is_ready(self) -> bool:
        return isinstance(self, Ready)

    def is_pending(self) -> bool:
        return self is Pending

    def __bool__(self) -> NoReturn:
        raise TypeError(_NO_TRUTH)


class Ready(Poll[T_co]):
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


class _PendingType(Poll[NoReturn]):
    """The future cannot finish yet and has arranged to be woken (Rust: `Poll::Pending`)."""

    __slots__ = ()
    _instance: _PendingType | None = None

    def __new__(cls) -> _PendingType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Pending"

    def __reduce__(self) -> str:
        return "Pending"


Pending = _PendingType()
Poll.Ready = Ready
Poll.Pending = Pending
