"""Waker and Context, as Rust's `std::task`."""

import weakref

from stdtask import Context, Waker, noop_waker


class Counter:
    def __init__(self) -> None:
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


def test_waker_from_a_callable() -> None:
    calls: list[int] = []
    waker = Waker(lambda: calls.append(1))
    waker.wake()
    waker.wake()
    assert calls == [1, 1]


def test_waker_from_a_wake_object() -> None:
    counter = Counter()
    Waker(counter).wake()
    assert counter.wakes == 1


def test_will_wake_compares_the_target() -> None:
    counter = Counter()
    assert Waker(counter).will_wake(Waker(counter))
    assert not Waker(counter).will_wake(Waker(Counter()))
    assert noop_waker().will_wake(noop_waker())


def test_a_subclass_is_its_own_waker() -> None:
    class Task(Waker):
        __slots__ = ("polls",)

        def __init__(self) -> None:
            super().__init__()
            self.polls = 0

        def wake(self) -> None:
            self.polls += 1

    task, other = Task(), Task()
    task.wake()
    assert task.polls == 1
    assert task.will_wake(task) and not task.will_wake(other)


def test_noop_waker_does_nothing_and_context_carries_the_waker() -> None:
    waker = noop_waker()
    waker.wake()
    assert Context(waker).waker is waker


def test_wakers_can_be_weakly_referenced() -> None:
    waker = noop_waker()
    ref = weakref.ref(waker)
    del waker
    assert ref() is None
