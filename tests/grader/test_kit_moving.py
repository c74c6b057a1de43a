"""kit.moving: Rust's move for a Python object, and the references back to the old object."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import pytest

from kit.moving import UseAfterMove, move, refers_back


class Plain:
    """Only data: movable."""

    def __init__(self) -> None:
        self.items = [1, 2]
        self.name = "plain"

    def total(self) -> int:
        return sum(self.items)


class Slotted:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 7


class Holder:
    def __init__(self, owner: object) -> None:
        self.owner = owner


class SelfReferring:
    """Every shape of "a field that refers back to the object itself"."""

    def __init__(self) -> None:
        self.step: Callable[[], int] = self.total
        self.closure = lambda: self.total()
        self.partial = functools.partial(SelfReferring.total, self)
        self.steps = self.generator()
        self.helpers = [Holder(self)]
        self.me = self

    def total(self) -> int:
        return 1

    def generator(self) -> Iterator[int]:
        yield self.total()


def test_the_moved_object_works_and_the_old_one_refuses_every_use() -> None:
    old = Plain()
    new = move(old, what="Plain", hint="moved")
    assert new.total() == 3 and new.name == "plain"
    assert new.items is not None and type(new) is Plain
    with pytest.raises(UseAfterMove) as read:
        old.total()
    assert read.value.hint == "moved" and "read `total`" in read.value.message
    with pytest.raises(UseAfterMove, match="set `name`"):
        old.name = "again"
    assert repr(old) == "<Plain, moved away>"


def test_slots_are_moved_too() -> None:
    old = Slotted()
    new = move(old, what="Slotted", hint="moved")
    assert new.value == 7
    with pytest.raises(UseAfterMove):
        _ = old.value


def test_plain_data_refers_nowhere_back() -> None:
    old = Plain()
    assert refers_back(move(old, what="Plain", hint="moved"), old) == []


def test_each_reference_back_is_named_without_touching_the_old_object() -> None:
    old = SelfReferring()
    new = move(old, what="SelfReferring", hint="moved")
    found = " | ".join(refers_back(new, old))
    for expected in (
        "`step` is a bound method",
        "`closure` is a function that closes over",
        "`partial` is a functools.partial",
        "`steps` is a generator",
        "`helpers[0].owner` is the old object itself",
        "`me` is the old object itself",
    ):
        assert expected in found, found
    with pytest.raises(UseAfterMove):  # and using one of them reaches the old object
        next(new.steps)


def test_an_object_whose_class_cannot_be_swapped_is_still_copied() -> None:
    old = object()  # a built-in type: `__class__` cannot be assigned, the old one stays usable
    new = move(old, what="object", hint="moved")
    assert type(new) is object and type(old) is object
