"""Poll: Ready(value) and the Pending singleton, as Rust's `Poll<T>`."""

import copy
import pickle

import pytest

from stdtask import Pending, Poll, Ready


def test_ready_none_is_not_pending() -> None:
    assert Ready(None) is not Pending
    assert Ready(None).is_ready() and not Ready(None).is_pending()
    assert Pending.is_pending() and not Pending.is_ready()


def test_pending_is_a_singleton() -> None:
    assert pickle.loads(pickle.dumps(Pending)) is Pending
    assert copy.copy(Pending) is Pending and copy.deepcopy([Pending])[0] is Pending
    assert Poll.Pending is Pending and Poll.Ready is Ready


def test_ready_compares_by_value() -> None:
    assert Ready(1) == Ready(1) and Ready(1) != Ready(2) and Ready(0) != Pending
    assert hash(Ready("a")) == hash(Ready("a"))
    assert repr(Ready([1])) == "Ready([1])" and repr(Pending) == "Pending" == str(Pending)


def test_pending_has_no_value() -> None:
    # An enum member has `.value`; Pending must not hand out a fake output.
    with pytest.raises(AttributeError, match="Pending has no value"):
        Pending.value  # noqa: B018


@pytest.mark.parametrize("poll", [Ready(None), Ready(0), Pending])
def test_polls_have_no_truth_value(poll: Poll[object]) -> None:
    with pytest.raises(TypeError, match="no truth value"):
        bool(poll)


def describe(poll: Poll[object]) -> str:
    match poll:
        case Ready(None):
            return "ready with None"
        case Poll.Ready(value):
            return f"ready with {value}"
        case Poll.Pending:
            return "pending"
    return "unreachable"


def test_match_distinguishes_every_case() -> None:
    assert describe(Ready(None)) == "ready with None"
    assert describe(Ready(3)) == "ready with 3"
    assert describe(Pending) == "pending"
