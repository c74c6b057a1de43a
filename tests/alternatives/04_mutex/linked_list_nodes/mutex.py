"""An intrusive doubly linked list of waiter nodes (like tokio's wait list): O(1) unlink on cancel.

Each queued lock() future owns a node {prev, next, waker, handed}; the mutex keeps head and
tail. A dropped waiter unlinks its own node; `release()` pops the head, marks it handed and
then wakes it.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, Waker

T = TypeVar("T")


class _Node:
    __slots__ = ("handed", "linked", "next", "prev", "waker")

    def __init__(self, waker: Waker) -> None:
        self.prev: _Node | None = None
        self.next: _Node | None = None
        self.waker: Waker | None = waker
        self.handed = False
        self.linked = False


class Mutex(Generic[T]):
    def __init__(self, value: T) -> None:
        self._value = value
        self._held = False
        self._head: _Node | None = None
        self._tail: _Node | None = None

    def lock(self) -> LockFuture[T]:
        return LockFuture(self)

    def try_lock(self) -> MutexGuard[T] | None:
        if self._held:
            return None
        self._held = True
        return MutexGuard(self)

    def _push(self, node: _Node) -> None:
        node.prev = self._tail
        if self._tail is None:
            self._head = node
        else:
            self._tail.next = node
        self._tail = node
        node.linked = True

    def _unlink(self, node: _Node) -> None:
        if node.prev is None:
            self._head = node.next
        else:
            node.prev.next = node.next
        if node.next is None:
            self._tail = node.prev
        else:
            node.next.prev = node.prev
        node.prev = node.next = None
        node.linked = False

    def _release(self) -> None:
        node = self._head
        if node is None:
            self._held = False
            return
        self._unlink(node)
        node.handed = True  # still held: ownership moves to the node's future
        waker, node.waker = node.waker, None
        if waker is not None:
            waker.wake()


class LockFuture(Future["MutexGuard[T]"]):
    def __init__(self, mutex: Mutex[T]) -> None:
        self._mutex = mutex
        self._node: _Node | None = None
        self._done = False

    def poll(self, cx: Context) -> Poll[MutexGuard[T]]:
        if self._done:
            raise PolledAfterCompletion("lock() future polled after Ready")
        node = self._node
        if node is None:
            guard = self._mutex.try_lock()
            if guard is not None:
                self._done = True
                return Ready(guard)
            self._node = node = _Node(cx.waker)
            self._mutex._push(node)
            return Pending
        if node.handed:
            self._done = True
            self._node = None
            return Ready(MutexGuard(self._mutex))
        node.waker = cx.waker
        return Pending

    def drop(self) -> None:
        node, self._node = self._node, None
        if self._done or node is None:
            self._done = True
            return
        self._done = True
        if node.linked:
            self._mutex._unlink(node)
        elif node.handed:
            self._mutex._release()

    async def __aenter__(self) -> MutexGuard[T]:
        self._guard = await self
        return self._guard

    async def __aexit__(self, *exc_info: Any) -> None:
        self._guard.release()


class MutexGuard(Generic[T]):
    def __init__(self, mutex: Mutex[T]) -> None:
        self._mutex: Mutex[T] | None = mutex

    def _owned(self) -> Mutex[T]:
        if self._mutex is None:
            raise RuntimeError("MutexGuard used after release")
        return self._mutex

    @property
    def value(self) -> T:
        return self._owned()._value

    @value.setter
    def value(self, new: T) -> None:
        self._owned()._value = new

    def release(self) -> None:
        mutex = self._owned()
        self._mutex = None
        mutex._release()

    def __enter__(self) -> MutexGuard[T]:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.release()
