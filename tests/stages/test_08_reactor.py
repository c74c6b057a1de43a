"""Stage 08: an I/O reactor: readiness, interest, the I/O futures, the park in `select`.

Order matters: the reactor's bookkeeping first, then each I/O future by hand (ManualTask,
one reactor turned by the test), then the executor's hooks, then the capstone; within each,
basic behaviour before one test per mistake, so the first failure names the mistake (see
tests/mutants/m08_reactor.py).

Deterministic: loopback only (socketpair, or a listener on port 0), bounded counts, no
sleep used to synchronise. Where the runtime waits for the outside world, a spy selector
(kit/sockets.py) makes the outside world act exactly when the runtime starts to wait, and
counts `select` calls instead of measuring time. A `turn(LIMIT)` that expects readiness
returns as soon as the socket is ready; LIMIT only bounds a failure.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kit import HintedFailure, ManualTask, SpyWaker, expect, fail, load_stage
from kit.failures import raised
from kit.sockets import SpySelector, drain, fill, socket_pair
from kit.watchdog import watchdog
from stdtask import Context, Future, Pending, Poll, PolledAfterCompletion, Ready, TodoError

stage = load_stage("08_reactor", "reactor")

pytestmark = pytest.mark.hint("reactor")

LIMIT = 5.0  # seconds: only a hang catcher; every test here takes milliseconds
BUSY = 100  # `select` calls that only look, in a row, while idle: a busy wait
KINDS = ("accept", "read", "write")


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture
def closing() -> Iterator[list[Any]]:
    """Things to close after the test (sockets, reactors), whatever happened."""
    things: list[Any] = []
    yield things
    for thing in reversed(things):
        try:
            thing.close()
        except Exception:  # already closed, or the attendee's close() is broken: not this test's
            pass


def new_reactor(closing: list[Any]) -> tuple[Any, SpySelector]:
    spy = SpySelector()
    reactor = stage.Reactor(spy)
    closing.append(reactor)
    return reactor, spy


def turn(reactor: Any, timeout: float, hint: str = "reactor") -> int:
    """`reactor.turn(timeout)`, with a hang caught (turn(None) / a select that never returns)."""
    return watchdog(lambda: reactor.turn(timeout), seconds=LIMIT + 5, hint=hint,
                    message=f"reactor.turn({timeout}) did not return")


def wait_readable(sock: socket.socket) -> None:
    """Until a new connection has reached the listener's accept queue (at once on loopback,
    almost always), without the reactor: its interest must not fire."""
    select.select([sock], [], [], LIMIT)


class Case:
    """One I/O future on a fresh socket: pending at first; `make_ready()` makes its socket
    ready; `steal()` takes that readiness away again (another reader consumed the data,
    another writer filled the buffer), as happens between a wake and the next poll."""

    kind = ""
    what = ""

    def __init__(self, reactor: Any, closing: list[Any]) -> None:
        self.reactor = reactor
        self.closing = closing

    def future(self) -> Any:
        raise NotImplementedError

    def make_ready(self) -> None:
        raise NotImplementedError

    def steal(self) -> None:
        raise NotImplementedError

    def check(self, value: Any) -> str | None:
        """None if `value` is the right output, else what is wrong with it."""
        raise NotImplementedError

    @property
    def sock(self) -> socket.socket:
        raise NotImplementedError


class AcceptCase(Case):
    kind = "accept"
    what = "listener.accept()"

    def __init__(self, reactor: Any, closing: list[Any]) -> None:
        super().__init__(reactor, closing)
        self.listener = stage.TcpListener.bind(("127.0.0.1", 0), reactor)
        closing.append(self.listener.sock)

    @property
    def sock(self) -> socket.socket:
        return self.listener.sock  # type: ignore[no-any-return]

    def future(self) -> Any:
        return self.listener.accept()

    def make_ready(self) -> None:
        self.closing.append(socket.create_connection(self.listener.local_addr(), timeout=LIMIT))

    def steal(self) -> None:
        sock, _ = self.listener.sock.accept()
        sock.close()

    def check(self, value: Any) -> str | None:
        if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], stage.TcpStream)):
            return f"{value!r} instead of a (TcpStream, address) pair"
        self.closing.append(value[0].sock)
        if value[0].reactor is not self.reactor:
            return "a TcpStream on another reactor than the listener's"
        return None


class ReadCase(Case):
    kind = "read"
    what = "stream.read(100)"

    def __init__(self, reactor: Any, closing: list[Any]) -> None:
        super().__init__(reactor, closing)
        self.mine, self.peer = socket_pair()
        closing += [self.mine, self.peer]
        self.stream = stage.TcpStream(self.mine, reactor)

    @property
    def sock(self) -> socket.socket:
        return self.mine

    def future(self) -> Any:
        return self.stream.read(100)

    def make_ready(self) -> None:
        self.peer.sendall(b"hello")

    def steal(self) -> None:
        self.mine.recv(100)

    def check(self, value: Any) -> str | None:
        return None if value == b"hello" else f"{value!r} instead of b'hello' (what the peer sent)"


class WriteCase(Case):
    kind = "write"
    what = "stream.write_all(b'payload')"

    def __init__(self, reactor: Any, closing: list[Any]) -> None:
        super().__init__(reactor, closing)
        self.mine, self.peer = socket_pair()
        closing += [self.mine, self.peer]
        self.stream = stage.TcpStream(self.mine, reactor)
        fill(self.mine)  # the send buffer is full: the first send would block

    @property
    def sock(self) -> socket.socket:
        return self.mine

    def future(self) -> Any:
        return self.stream.write_all(b"payload")

    def make_ready(self) -> None:
        drain(self.peer)

    def steal(self) -> None:
        fill(self.mine)

    def check(self, value: Any) -> str | None:
        return None if value is None else f"{value!r} instead of None"


CASES: dict[str, type[Case]] = {"accept": AcceptCase, "read": ReadCase, "write": WriteCase}


def task_for(case: Case) -> ManualTask[Any]:
    return ManualTask(case.future(), what=case.what, lost_waker_hint="lost_wake",
                      stale_waker_hint="stale_waker")


def poll(task: ManualTask[Any], hint: str, what: str) -> Poll[Any]:
    """Poll; an exception from the future becomes a failure with `hint`."""
    try:
        return task.poll()
    except (HintedFailure, TodoError):
        raise
    except Exception as error:
        fail(hint, f"{what}: the poll raised {raised(error)}")


def pending_and_registered(case: Case, task: ManualTask[Any], when: str) -> None:
    """Poll: must be Pending (its socket is not ready) with exactly one interest registered."""
    result = poll(task, "io_future", f"{case.what} {when}")
    if result is not Pending:
        fail("io_future", f"{case.what} {when} answered {result!r}: there the syscall would "
                          "block, so the answer is Pending (after registering interest).")
    count = len(case.reactor)
    expect(count == 1, "lost_wake" if count == 0 else "reactor",
           f"{case.what} {when} returned Pending, and then len(reactor) was {count} instead "
           "of 1: the future must register its interest (socket, direction, waker) before "
           "it returns Pending, once.")


def ready_value(case: Case, task: ManualTask[Any], when: str, hint: str = "io_future") -> Any:
    result = poll(task, hint, f"{case.what} {when}")
    if not isinstance(result, Ready):
        fail(hint, f"{case.what} {when} answered {result!r}, but its socket was ready (the "
                   "syscall would succeed): the answer is Ready.")
    problem = case.check(result.value)
    if problem is not None:
        fail(hint, f"{case.what} {when} answered {problem}.")
    return result.value


def wake_by_readiness(case: Case, task: ManualTask[Any], hint: str = "io_future") -> None:
    """Make the socket ready and turn the reactor: the task's latest waker must be woken."""
    case.make_ready()
    turn(case.reactor, LIMIT)
    expect(task.is_woken, hint if task.stale_wakes == 0 else "stale_waker",
           f"{case.what} returned Pending and its socket became ready, but reactor.turn() did "
           "not wake the waker of its latest poll"
           + (" (it woke the waker of an earlier poll)" if task.stale_wakes else "")
           + ": the task would sleep forever.")


class Gate:
    """What the outside world does when the runtime starts waiting in `select`.

    `action` runs once: before the first `select` that may block (timeout None or > 0), or
    before the BUSY-th `select` that only looked (then `busy` is True: the runtime spun).
    """

    def __init__(self, action: Callable[[], None]) -> None:
        self.action = action
        self.done = False
        self.busy = False
        self.zero_streak = 0

    def __call__(self, spy: SpySelector, timeout: float | None) -> None:
        if self.done:
            return
        if timeout is None or timeout > 0:
            self.done = True
            self.action()
            return
        self.zero_streak += 1
        if self.zero_streak >= BUSY:
            self.done = self.busy = True
            self.action()


def run(executor: Any, root: Any, hint: str, what: str) -> Any:
    """`executor.block_on(root)`, a hang turned into a failure with `hint`."""
    return watchdog(lambda: executor.block_on(root), seconds=LIMIT, hint=hint,
                    message=f"block_on({what}) never returned")


def executor_with(closing: list[Any], hook: Any = None) -> tuple[Any, SpySelector]:
    spy = SpySelector(hook)
    executor = stage.Executor(selector=spy)
    closing.append(executor)
    return executor, spy


class Forever(Future[None]):
    """Pending forever, keeping its waker (nothing will ever wake it)."""

    def poll(self, cx: Context) -> Poll[None]:
        self.waker = cx.waker
        return Pending


# --- the reactor --------------------------------------------------------------------------


def test_register_then_readiness_wakes_the_waker(closing: list[Any]) -> None:
    reactor, spy = new_reactor(closing)
    mine, peer = socket_pair()
    closing += [mine, peer]
    mine.setblocking(False)
    waker = SpyWaker("reader")
    reactor.register(mine, stage.READABLE, waker)
    expect(len(reactor) == 1, "reactor",
           f"After register(sock, READABLE, waker), len(reactor) was {len(reactor)} instead of 1.")
    expect(mine.fileno() in spy.watched(), "reactor",
           "After register(sock, READABLE, waker) the selector did not watch the socket: no "
           "select can ever report it ready.")
    woken = turn(reactor, 0)
    expect(not waker.woken and woken == 0, "reactor",
           f"reactor.turn(0) with nothing to read woke {waker.wake_count} waker(s) (returned "
           f"{woken!r}): a socket that is not ready wakes nobody.")
    peer.sendall(b"x")
    woken = turn(reactor, LIMIT)
    expect(waker.wake_count == 1, "reactor",
           f"The socket became readable and reactor.turn() woke its waker {waker.wake_count} "
           "time(s) instead of once.")
    expect(woken == 1, "reactor", f"reactor.turn() woke one waker but returned {woken!r} "
                                  "instead of 1 (the number of wakers it woke).")


def test_the_two_directions_of_a_socket_are_separate(closing: list[Any]) -> None:
    reactor, spy = new_reactor(closing)
    mine, peer = socket_pair()
    closing += [mine, peer]
    mine.setblocking(False)
    reader, writer = SpyWaker("reader"), SpyWaker("writer")
    reactor.register(mine, stage.READABLE, reader)
    reactor.register(mine, stage.WRITABLE, writer)  # an empty send buffer: writable at once
    expect(len(reactor) == 2, "reactor",
           f"One socket registered for READABLE (one waker) and WRITABLE (another waker): "
           f"len(reactor) was {len(reactor)} instead of 2 (one per direction).")
    watched = spy.events_of(mine.fileno())
    expect(watched == stage.READABLE | stage.WRITABLE, "reactor",
           f"One socket registered for READABLE, then for WRITABLE: the selector then watched "
           f"it for {spy.describe(watched)} instead of both: registering one direction must "
           "keep the other.")
    turn(reactor, LIMIT)
    expect(writer.wake_count == 1 and not reader.woken, "reactor",
           f"The socket was writable, not readable: reactor.turn() woke the WRITABLE waker "
           f"{writer.wake_count} time(s) and the READABLE one {reader.wake_count} time(s) "
           "(expected 1 and 0). Each direction has its own waker.")
    watched = spy.events_of(mine.fileno())
    expect(len(reactor) == 1 and watched & stage.READABLE, "reactor",
           f"After the WRITABLE waker was woken, len(reactor) was {len(reactor)} (expected 1, "
           f"the READABLE interest) and the selector watched the socket for "
           f"{spy.describe(watched)} (expected READABLE): firing one direction forgets that "
           "one and keeps the other.")
    expect(not watched & stage.WRITABLE, "busy_wait",
           "After the WRITABLE waker was woken (one-shot: that interest is gone), the selector "
           "still watched the socket for WRITABLE. It stays writable, so every select from now "
           "on returns at once: the executor's park would spin instead of sleeping.")
    peer.sendall(b"x")
    turn(reactor, LIMIT)
    expect(reader.wake_count == 1 and writer.wake_count == 1, "reactor",
           f"Then the socket became readable: the READABLE waker was woken "
           f"{reader.wake_count} time(s) (expected 1), the WRITABLE one {writer.wake_count} "
           "(expected still 1).")
    both_r, both_w = SpyWaker("reader"), SpyWaker("writer")  # readable and writable at once
    reactor.register(mine, stage.WRITABLE, both_w)
    reactor.register(mine, stage.READABLE, both_r)
    woken = turn(reactor, LIMIT)
    expect(both_r.wake_count == 1 and both_w.wake_count == 1, "reactor",
           f"A socket both readable and writable, registered for WRITABLE then READABLE: one "
           f"reactor.turn() woke the READABLE waker {both_r.wake_count} time(s) and the "
           f"WRITABLE one {both_w.wake_count} (expected 1 and 1).")
    expect(woken == 2, "reactor",
           f"A socket both readable and writable, with a waker for each direction: one "
           f"reactor.turn() woke both but returned {woken!r} instead of 2 (the number of "
           "wakers it woke, not of ready sockets).")


def test_one_turn_wakes_every_ready_socket(closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    wakers = []
    for i in range(2):
        mine, peer = socket_pair()
        closing += [mine, peer]
        mine.setblocking(False)
        wakers.append(SpyWaker(f"reader {i}"))
        reactor.register(mine, stage.READABLE, wakers[-1])
        peer.sendall(b"x")  # both sockets readable before the turn
    woken = turn(reactor, LIMIT)
    counts = [w.wake_count for w in wakers]
    expect(counts == [1, 1], "reactor",
           f"Two sockets, each registered READABLE, were both readable before one "
           f"reactor.turn(): it woke their wakers {counts[0]} and {counts[1]} time(s) "
           "(expected 1 and 1). select returns every ready key: each one's waker is woken in "
           "the same turn.")
    expect(woken == 2, "reactor",
           f"One reactor.turn() woke two wakers but returned {woken!r} instead of 2 (the "
           "number of wakers it woke).")


@pytest.mark.hint("stale_waker")
def test_register_again_replaces_the_waker(closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    mine, peer = socket_pair()
    closing += [mine, peer]
    mine.setblocking(False)
    first, latest = SpyWaker("first"), SpyWaker("latest")
    reactor.register(mine, stage.READABLE, first)
    reactor.register(mine, stage.READABLE, latest)
    expect(len(reactor) == 1, "stale_waker",
           f"The same socket and direction registered twice: len(reactor) was {len(reactor)} "
           "instead of 1. A second register replaces the waker, it does not add one.")
    peer.sendall(b"x")
    turn(reactor, LIMIT)
    expect(latest.wake_count == 1 and not first.woken, "stale_waker",
           f"register(sock, READABLE, first) then register(sock, READABLE, latest), then the "
           f"socket became ready: `latest` was woken {latest.wake_count} time(s), `first` "
           f"{first.wake_count} (expected 1 and 0). Only the latest waker reaches the task "
           "that waits now.")


@pytest.mark.hint("busy_wait")
def test_fired_interest_is_forgotten(closing: list[Any]) -> None:
    reactor, spy = new_reactor(closing)
    mine, peer = socket_pair()
    closing += [mine, peer]
    mine.setblocking(False)
    waker = SpyWaker()
    reactor.register(mine, stage.READABLE, waker)
    peer.sendall(b"x")
    turn(reactor, LIMIT)
    expect(len(reactor) == 0, "busy_wait",
           f"reactor.turn() woke the only interest, and len(reactor) was then {len(reactor)} "
           "instead of 0: an interest is one-shot (woken once, then forgotten).")
    expect(mine.fileno() not in spy.watched(), "busy_wait",
           "reactor.turn() woke the only interest of a socket, but the selector still "
           "watches the socket. Nobody reads it yet, so it stays readable, and every select "
           "from now on returns at once: the executor's park would spin instead of sleeping.")
    turn(reactor, 0)
    expect(waker.wake_count == 1, "busy_wait",
           f"The data was still unread and a second reactor.turn(0) woke the waker again "
           f"({waker.wake_count} wakes in all): a fired interest wakes nobody a second time.")


@pytest.mark.hint("deregister")
def test_deregister_withdraws_interest(closing: list[Any]) -> None:
    reactor, spy = new_reactor(closing)
    mine, peer = socket_pair()
    closing += [mine, peer]
    mine.setblocking(False)
    reader, writer = SpyWaker("reader"), SpyWaker("writer")
    reactor.register(mine, stage.READABLE, reader)
    reactor.deregister(mine, stage.READABLE)
    expect(len(reactor) == 0 and mine.fileno() not in spy.watched(), "deregister",
           f"After register(sock, READABLE, w) and deregister(sock, READABLE), len(reactor) "
           f"was {len(reactor)} or the selector still watched the socket: a socket with no "
           "interest left leaves the selector.")
    peer.sendall(b"x")
    turn(reactor, 0)
    expect(not reader.woken, "deregister",
           "A deregistered interest's waker was woken when the socket became ready.")
    again = (("deregister(sock, READABLE) again", lambda: reactor.deregister(mine, stage.READABLE)),
             ("deregister(sock) of a socket never registered", lambda: reactor.deregister(peer)))
    for what, action in again:
        try:
            action()
        except Exception as error:
            fail("deregister", f"{what} raised {raised(error)}: withdrawing an interest that "
                               "is not there does nothing (drop paths call it blindly).")
    reactor.register(mine, stage.READABLE, reader)
    reactor.register(mine, stage.WRITABLE, writer)
    reactor.deregister(mine, stage.WRITABLE)
    expect(len(reactor) == 1 and mine.fileno() in spy.watched(), "deregister",
           f"register READABLE and WRITABLE, then deregister(sock, WRITABLE): len(reactor) "
           f"was {len(reactor)} (expected 1) or the selector stopped watching the socket.")
    reactor.deregister(mine)
    expect(len(reactor) == 0 and mine.fileno() not in spy.watched(), "deregister",
           f"deregister(sock) (no direction: both) left len(reactor) == {len(reactor)} or the "
           "socket in the selector.")


@pytest.mark.hint("busy_wait")
def test_a_wake_interrupts_turn_once(closing: list[Any]) -> None:
    holder: dict[str, Any] = {}

    def wake_from_another_thread(spy: SpySelector, timeout: float | None) -> None:
        if timeout is None and len(spy.timeouts) == 1:
            thread = threading.Thread(target=holder["reactor"].wake)
            thread.start()
            thread.join()

    spy = SpySelector(wake_from_another_thread)
    reactor = holder["reactor"] = stage.Reactor(spy)
    closing.append(reactor)
    woken = turn(reactor, None, hint="unpark")
    expect(woken == 0, "reactor",
           f"reactor.turn(None) returned {woken!r} after a wake() from another thread: "
           "that wake is not a socket's readiness, it wakes no waker (expected 0).")
    turn(reactor, 0)
    expect(spy.ready[-1] == 0, "busy_wait",
           "After a wake() interrupted one turn, the next select still reported the "
           "self-pipe ready: its byte was never read (SelfPipe.drain()), so every select from "
           "now on returns at once and the executor's park spins.")
    thread = threading.Thread(target=reactor.wake)
    thread.start()
    thread.join()
    turn(reactor, 0)
    expect(spy.ready[-1] == 1, "self_pipe",
           "A first wake() from another thread interrupted a turn; a second wake() after that "
           "turn did not make the next select report the self-pipe ready, so a select "
           "blocked then would never return. The drain in `Reactor.turn` must leave the "
           "self-pipe ready for the next wake (the given SelfPipe keeps state for that).")


# --- the I/O futures, polled by hand --------------------------------------------------------


@pytest.mark.hint("io_future")
@pytest.mark.parametrize("kind", KINDS)
def test_ready_socket_gives_ready_at_once(kind: str, closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    case = CASES[kind](reactor, closing)
    case.make_ready()
    if kind == "accept":
        wait_readable(case.sock)
    task = task_for(case)
    ready_value(case, task, "on a socket that was already ready")
    expect(len(reactor) == 0, "deregister",
           f"{case.what} returned Ready at once, yet len(reactor) was then {len(reactor)}: "
           "a future that did not wait leaves no interest behind.")


@pytest.mark.hint("io_future")
@pytest.mark.parametrize("kind", KINDS)
def test_pending_registers_interest_then_readiness_wakes(kind: str, closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    case = CASES[kind](reactor, closing)
    task = task_for(case)
    pending_and_registered(case, task, "on a socket that was not ready")
    wake_by_readiness(case, task)
    ready_value(case, task, "after the reactor woke it")
    expect(len(reactor) == 0, "deregister",
           f"{case.what} finished, yet len(reactor) was {len(reactor)} afterwards.")


@pytest.mark.hint("poll_after_ready")
@pytest.mark.parametrize("kind", KINDS)
def test_poll_after_ready_raises(kind: str, closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    case = CASES[kind](reactor, closing)
    case.make_ready()
    if kind == "accept":
        wait_readable(case.sock)
    task = task_for(case)
    ready_value(case, task, "on a socket that was already ready")
    case.make_ready()  # ready again: a future that forgot it finished would answer again
    if kind == "accept":
        wait_readable(case.sock)
    try:
        result = task.poll()
    except PolledAfterCompletion:
        return
    except Exception as error:
        fail("poll_after_ready", f"{case.what} returned Ready, and a poll after that raised "
                                 f"{raised(error)} instead of PolledAfterCompletion.")
    fail("poll_after_ready", f"{case.what} returned Ready, and a poll after that answered "
                             f"{result!r} instead of raising PolledAfterCompletion: a finished "
                             "future has given its output away.")


@pytest.mark.hint("readiness_not_guarantee")
@pytest.mark.parametrize("kind", KINDS)
def test_spurious_readiness_registers_again(kind: str, closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    case = CASES[kind](reactor, closing)
    task = task_for(case)
    pending_and_registered(case, task, "on a socket that was not ready")
    wake_by_readiness(case, task)
    case.steal()  # between the wake and the poll, the readiness went away
    result = poll(task, "readiness_not_guarantee",
                  f"{case.what} was woken by readiness that had gone again by its poll (the "
                  "syscall said 'would block')")
    if result is not Pending:
        fail("readiness_not_guarantee",
             f"{case.what} was woken by readiness that had gone again by its poll (the syscall "
             f"said 'would block'), and it answered {result!r}: readiness is only a hint, the "
             "answer is Pending, with interest registered again.")
    expect(len(reactor) == 1, "lost_wake",
           f"{case.what} answered Pending after a spurious readiness, and len(reactor) was "
           f"{len(reactor)}: the reactor forgot the interest when it fired, so without a new "
           "register nothing will ever wake this task (a lost wake).")
    wake_by_readiness(case, task, hint="lost_wake")
    ready_value(case, task, "when the socket was ready again")


@pytest.mark.hint("stale_waker")
@pytest.mark.parametrize("kind", KINDS)
def test_readiness_wakes_the_latest_waker(kind: str, closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    case = CASES[kind](reactor, closing)
    task = task_for(case)
    pending_and_registered(case, task, "on a socket that was not ready")
    pending_and_registered(case, task, "polled again with a new waker (the task moved)")
    pending_and_registered(case, task, "polled a third time with yet another waker")
    wake_by_readiness(case, task, hint="stale_waker")
    expect(task.stale_wakes == 0, "stale_waker",
           f"{case.what} was polled three times with three wakers; readiness woke the latest "
           f"one, and also {task.stale_wakes} older one(s): one interest, one waker.")
    ready_value(case, task, "after the reactor woke it")


@pytest.mark.hint("eof")
def test_read_at_end_of_stream_is_empty_bytes(closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    case = ReadCase(reactor, closing)
    case.peer.sendall(b"last")
    case.peer.shutdown(socket.SHUT_WR)
    first = ManualTask(case.stream.read(100), what="stream.read(100)", lost_waker_hint="eof")
    result = first.poll()
    expect(result == Ready(b"last"), "io_future",
           f"The peer sent b'last' then closed its side: the first read answered {result!r} "
           "instead of Ready(b'last').")
    for attempt in ("the read after the last byte", "another read after that"):
        task = ManualTask(case.stream.read(100), what="stream.read(100)", lost_waker_hint="eof")
        result = poll(task, "eof", f"{attempt} at end of stream")
        expect(result == Ready(b""), "eof",
               f"The peer had closed its side and every byte was read; {attempt} answered "
               f"{result!r} instead of Ready(b''). recv() returning 0 bytes is the end of the "
               "stream, not 'try again': no readiness will ever bring more.")
    expect(len(reactor) == 0, "eof",
           f"Reads at end of stream left len(reactor) == {len(reactor)} (expected 0).")


@pytest.mark.hint("eof")
def test_end_of_stream_while_waiting(closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    case = ReadCase(reactor, closing)
    task = task_for(case)
    pending_and_registered(case, task, "on a socket with nothing to read")
    case.peer.shutdown(socket.SHUT_WR)
    turn(reactor, LIMIT)
    expect(task.is_woken, "io_future",
           "The peer closed its side while a read waited: end of stream makes the socket "
           "readable, but the reactor did not wake the read's waker.")
    result = poll(task, "eof", "the read, woken by end of stream,")
    expect(result == Ready(b""), "eof",
           f"The peer closed its side while a read waited; woken, the read answered {result!r} "
           "instead of Ready(b''): 0 bytes from recv() is the end of the stream.")


@pytest.mark.hint("partial_write")
def test_write_all_continues_after_partial_writes(closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    mine, peer = socket_pair()
    closing += [mine, peer]
    stream = stage.TcpStream(mine, reactor)
    payload = bytes(range(256)) * 1024  # 256 KiB, far more than the socket buffers hold
    task = ManualTask(stream.write_all(payload), what="stream.write_all(256 KiB)",
                      lost_waker_hint="lost_wake", stale_waker_hint="stale_waker")
    received = bytearray()
    result = poll(task, "partial_write", "write_all of 256 KiB")
    polls = 1
    while result is Pending and polls < 10_000:
        received += drain(peer)  # the peer reads: the buffer has room again
        if len(received) > len(payload) or received != payload[:len(received)]:
            fail("partial_write",
                 f"write_all of {len(payload)} bytes was still Pending and the peer had "
                 f"received {len(received)} bytes, "
                 + ("more than it was given" if len(received) > len(payload) else
                    "different from the payload's first ones")
                 + ": some bytes were sent twice. send() may take part of the data; the next "
                 "send continues from exactly where it stopped (sendall() on a non-blocking "
                 "socket raises midway without saying how much it sent).")
        turn(reactor, LIMIT)
        expect(task.is_woken, "lost_wake",
               f"write_all returned Pending after {len(received)} of {len(payload)} bytes had "
               "reached the peer, the peer read everything, and the reactor did not wake it.")
        result = poll(task, "partial_write", "write_all of 256 KiB, polled again")
        polls += 1
    expect(result == Ready(None), "partial_write",
           f"write_all of 256 KiB answered {result!r} after {polls} polls instead of "
           "Ready(None).")
    peer.setblocking(False)
    received += drain(peer)
    if bytes(received) != payload:
        same = next((i for i, (x, y) in enumerate(zip(received, payload, strict=False)) if x != y),
                    min(len(received), len(payload)))
        fail("partial_write",
             f"write_all of {len(payload)} bytes returned Ready, and the peer received "
             f"{len(received)} bytes, the same as sent only up to byte {same}. send() may "
             "take part of the data: write_all continues with the rest, from exactly where "
             "the previous send stopped, until every byte is out.")
    expect(len(reactor) == 0, "deregister",
           f"write_all finished, yet len(reactor) was {len(reactor)} afterwards.")


@pytest.mark.hint("deregister")
@pytest.mark.parametrize("kind", KINDS)
def test_dropped_future_withdraws_its_interest(kind: str, closing: list[Any]) -> None:
    reactor, spy = new_reactor(closing)
    case = CASES[kind](reactor, closing)
    task = task_for(case)
    pending_and_registered(case, task, "on a socket that was not ready")
    try:
        task.drop()
    except Exception as error:
        fail("deregister", f"Dropping a pending {case.what} raised {raised(error)}.")
    expect(len(reactor) == 0 and case.sock.fileno() not in spy.watched(), "deregister",
           f"A pending {case.what} was dropped (cancelled: a select's loser, an aborted task), "
           f"and len(reactor) was {len(reactor)}, or the selector still watched its socket: "
           "its interest stays behind, and a later readiness wakes a task that moved on.")
    case.make_ready()
    turn(reactor, 0)
    expect(not task.is_woken, "deregister",
           f"A dropped {case.what}'s waker was woken when its socket became ready.")


@pytest.mark.hint("deregister")
@pytest.mark.parametrize("kind", KINDS)
def test_ready_after_another_wake_withdraws_interest(kind: str, closing: list[Any]) -> None:
    reactor, spy = new_reactor(closing)
    case = CASES[kind](reactor, closing)
    task = task_for(case)
    pending_and_registered(case, task, "on a socket that was not ready")
    case.make_ready()
    if kind == "accept":
        wait_readable(case.sock)
    # polled again before the reactor turned (woken by something else: a select's sibling)
    ready_value(case, task, "polled again (woken by something else) when its socket was ready")
    expect(len(reactor) == 0 and case.sock.fileno() not in spy.watched(), "deregister",
           f"{case.what} registered interest, then (woken by something else) found its "
           f"socket ready and returned Ready, but len(reactor) was {len(reactor)} or the "
           "selector still watched the socket: the finished future's interest stays, and a "
           "later readiness wakes a task that has moved on.")


@pytest.mark.hint("deregister")
@pytest.mark.parametrize("finishing", ("read", "write"))
def test_ready_withdraws_only_its_own_direction(finishing: str, closing: list[Any]) -> None:
    reactor, _ = new_reactor(closing)
    reads = ReadCase(reactor, closing)
    stream = reads.stream  # one stream, a reader and a writer waiting on it at once
    writes = ManualTask(stream.write_all(b"payload"), what="stream.write_all(b'payload')",
                        lost_waker_hint="lost_wake", stale_waker_hint="stale_waker")
    reader = task_for(reads)
    fill(reads.mine)  # the send buffer is full: the write waits too
    poll(reader, "io_future", "stream.read(100) on a socket with nothing to read")
    poll(writes, "io_future", "stream.write_all(b'payload') on a full send buffer")
    expect(len(reactor) == 2, "reactor",
           f"A read and a write_all both Pending on one stream: len(reactor) was "
           f"{len(reactor)} instead of 2 (one interest per direction).")
    first, other = (reader, writes) if finishing == "read" else (writes, reader)
    names = {"read": "stream.read(100)", "write": "stream.write_all(b'payload')"}
    done, waiting = names[finishing], names["write" if finishing == "read" else "read"]
    if finishing == "read":
        reads.make_ready()
    else:
        drain(reads.peer)
    result = poll(first, "io_future", f"{done}, its socket ready")
    expect(isinstance(result, Ready), "io_future",
           f"{done} answered {result!r} on a ready socket instead of Ready.")
    expect(len(reactor) == 1, "deregister",
           f"A read and a write_all waited on one stream; {done} returned Ready, and then "
           f"len(reactor) was {len(reactor)} instead of 1: finishing withdrew the interest of "
           f"the other direction too, so {waiting}, still Pending, is never woken. A future "
           "withdraws only its own direction.")
    if finishing == "read":
        drain(reads.peer)
    else:
        reads.make_ready()
    turn(reactor, LIMIT)
    expect(other.is_woken, "deregister",
           f"A read and a write_all waited on one stream; {done} returned Ready, then the "
           f"socket became ready for {waiting}, and reactor.turn() did not wake it.")


@pytest.mark.hint("deregister")
@pytest.mark.parametrize("kind", ("listener", "stream"))
def test_close_deregisters_before_closing(kind: str, closing: list[Any]) -> None:
    reactor, spy = new_reactor(closing)
    case: Case = AcceptCase(reactor, closing) if kind == "listener" else ReadCase(reactor, closing)
    owner = case.listener if kind == "listener" else case.stream  # type: ignore[attr-defined]
    task = task_for(case)
    pending_and_registered(case, task, "on a socket that was not ready")
    fd = case.sock.fileno()
    try:
        owner.close()
    except Exception as error:
        fail("deregister", f"{kind}.close() with a registered interest raised {raised(error)}.")
    expect(case.sock.fileno() == -1, "deregister", f"{kind}.close() did not close the socket.")
    expect(len(reactor) == 0 and fd not in spy.watched(), "deregister",
           f"{kind}.close() with a registered interest left len(reactor) == {len(reactor)}, or "
           "the closed descriptor in the selector: select on a closed descriptor fails, and the "
           "OS hands its number to the next socket, whose readiness would wake this task.")
    try:
        turn(reactor, 0)
    except HintedFailure:
        raise
    except Exception as error:
        fail("deregister", f"After {kind}.close(), reactor.turn(0) raised {raised(error)}.")


# --- the executor: parked in select ---------------------------------------------------------


@pytest.mark.hint("park")
def test_block_on_reads_a_socket(closing: list[Any]) -> None:
    mine, peer = socket_pair()
    closing += [mine, peer]
    gate = Gate(lambda: peer.sendall(b"ping"))
    executor, _ = executor_with(closing, gate)

    async def root() -> bytes:
        return await stage.TcpStream(mine).read(100)

    try:
        got = run(executor, root(), "park", "a read that waits for the peer")
    except stage.Deadlock as error:
        fail("wakes_pending", f"block_on raised Deadlock ({error}) while a read waited for its "
                              "socket: a registered interest is a wake that may still come.")
    expect(got == b"ping", "park", f"block_on(read) returned {got!r} instead of b'ping'.")


@pytest.mark.hint("busy_wait")
def test_park_blocks_in_select_instead_of_spinning(closing: list[Any]) -> None:
    mine, peer = socket_pair()
    closing += [mine, peer]
    gate = Gate(lambda: peer.sendall(b"ping"))
    executor, _ = executor_with(closing, gate)

    async def root() -> bytes:
        return await stage.TcpStream(mine).read(100)

    try:
        run(executor, root(), "busy_wait", "a read that waits for the peer")
    except stage.Deadlock:
        fail("wakes_pending", "block_on raised Deadlock while a read waited for its socket.")
    expect(not gate.busy, "busy_wait",
           f"While its only task waited for a socket, the executor called select with timeout "
           f"0 {gate.zero_streak} times in a row and never once with a timeout that waits "
           "(None, or the next timer): a busy wait that burns a CPU core.")


@pytest.mark.hint("wakes_pending")
def test_deadlock_when_nothing_can_wake(closing: list[Any]) -> None:
    executor, _ = executor_with(closing)
    try:
        run(executor, Forever(), "wakes_pending", "a future nothing will wake (no I/O, no timer)")
    except stage.Deadlock:
        return
    fail("wakes_pending", "block_on of a future that nothing can wake (no task, no timer, no "
                          "interest registered) returned instead of raising Deadlock.")


@pytest.mark.hint("park_timeout")
def test_select_waits_until_the_earliest_timer(closing: list[Any]) -> None:
    mine, peer = socket_pair()
    closing += [mine, peer]
    gate = Gate(lambda: peer.sendall(b"ping"))
    executor, spy = executor_with(closing, gate)

    async def root() -> bytes:
        return await stage.timeout(30.0, stage.TcpStream(mine).read(100))

    run(executor, root(), "park_timeout", "timeout(30 s, a read)")
    waits = [t for t in spy.timeouts if t is None or t > 0]
    expect(waits and waits[0] is not None and 0 < waits[0] <= 30.0, "park_timeout",
           f"A read waited under a 30 s timeout: the executor's first waiting select had "
           f"timeout {waits[0] if waits else 'none'!r} instead of at most the 30 s to the "
           "timer's deadline. Timers and I/O share one park.")


@pytest.mark.hint("park_timeout")
def test_a_timer_fires_while_io_is_pending(closing: list[Any]) -> None:
    mine, peer = socket_pair()
    closing += [mine, peer]
    executor, _ = executor_with(closing)

    async def waiter() -> bytes:
        return await stage.TcpStream(mine).read(100)

    async def root() -> str:
        stage.spawn(waiter())  # an interest that never fires
        await stage.sleep(0.001)
        return "slept"

    got = run(executor, root(), "park_timeout", "sleep(1 ms) while another task waits for a socket")
    expect(got == "slept", "park_timeout", f"block_on returned {got!r}.")
    expect(len(executor.reactor) == 0, "deregister",
           "When block_on returned, the unfinished task waiting for a socket was dropped, but "
           f"len(reactor) was still {len(executor.reactor)}.")


@pytest.mark.hint("unpark")
def test_a_wake_from_another_thread_interrupts_select(closing: list[Any]) -> None:
    gate_open = threading.Event()
    lock_free: list[bool] = []
    holder: dict[str, Any] = {}

    def on_select(spy: SpySelector, timeout: float | None) -> None:
        if timeout is None or timeout > 0:
            if not lock_free:
                probe = threading.Thread(target=lambda: lock_free.append(
                    holder["executor"]._lock.acquire(blocking=False) and not
                    holder["executor"]._lock.release()))
                probe.start()
                probe.join()
            gate_open.set()

    executor, _ = executor_with(closing, on_select)
    holder["executor"] = executor

    def blocking_work() -> str:
        gate_open.wait(LIMIT / 2)  # bounded: an executor that never blocks still finishes
        return "done"

    async def root() -> str:
        return await stage.spawn_blocking(blocking_work)

    try:
        got = run(executor, root(), "unpark", "a task waiting for a spawn_blocking thread")
    except HintedFailure:
        if lock_free and not lock_free[0]:
            fail("lock_held", "The executor held its `_lock` while it waited in select: "
                              "another thread's wake needs that lock to queue its task, so "
                              "it waits for the select, which waits for the wake.")
        raise
    expect(lock_free == [True], "lock_held",
           "The executor held its `_lock` while it waited in select: a wake from another "
           "thread waits for the lock, and the lock for the select to end.")
    expect(got == "done", "unpark", f"block_on returned {got!r} instead of 'done'.")


@pytest.mark.hint("lock_held")
def test_an_error_in_select_comes_out_of_block_on(closing: list[Any]) -> None:
    mine, peer = socket_pair()
    closing += [mine, peer]
    boom = OSError(9, "select failed (raised by the test's selector)")

    def failing(spy: SpySelector, timeout: float | None) -> None:
        raise boom

    executor, _ = executor_with(closing, failing)

    async def root() -> bytes:
        return await stage.TcpStream(mine).read(100)

    try:
        run(executor, root(), "lock_held", "a read, with a selector whose select raises")
    except HintedFailure:
        raise
    except Exception as error:
        if error is boom:
            return
        fail("lock_held", f"The selector's select raised OSError({boom}); block_on raised "
                          f"{raised(error)} instead of that very OSError. `_block` must hold "
                          "`_lock` again when it returns, also when the turn raised.")
    fail("lock_held", f"The selector's select raised OSError({boom}), and block_on returned "
                      "instead of raising it.")


@pytest.mark.hint("deregister")
def test_dropped_read_lets_deadlock_be_seen(closing: list[Any]) -> None:
    mine, peer = socket_pair()
    closing += [mine, peer]
    executor, _ = executor_with(closing)

    async def root() -> None:
        try:
            await stage.timeout(0.001, stage.TcpStream(mine).read(100))
        except stage.Elapsed:
            pass
        await Forever()

    try:
        run(executor, root(), "deregister",
            "timeout(1 ms, read) that elapses, then a future nothing can wake")
    except stage.Deadlock:
        return
    fail("deregister", "block_on returned instead of raising Deadlock.")


# --- the capstone: echo over loopback -------------------------------------------------------


@pytest.mark.hint("capstone")
def test_echo_sends_everything_back(closing: list[Any]) -> None:
    mine, peer = socket_pair(buffers=None)
    closing += [mine, peer]
    messages = [b"hello", b"", b"x" * 100_000, bytes(range(256)) * 100]

    async def client(stream: Any) -> bytes:
        for message in messages:
            await stream.write_all(message)
        stream.shutdown_write()
        received = b""
        while data := await stream.read(65536):
            received += data
        return received

    async def root() -> tuple[int, bytes]:
        server = stage.spawn(stage.echo(stage.TcpStream(mine)))
        received = await client(stage.TcpStream(peer))
        return await server, received

    with stage.Executor() as executor:
        echoed, received = run(executor, root(), "capstone", "echo and one client")
    sent = b"".join(messages)
    expect(received == sent, "capstone",
           f"The client sent {len(sent)} bytes and closed its side; it read back "
           f"{len(received)} bytes, {'the same' if received == sent[:len(received)] else 'different'}"
           " up to there.")
    expect(echoed == len(sent), "capstone",
           f"echo() returned {echoed!r} instead of {len(sent)} (the bytes it echoed).")
    expect(mine.fileno() == -1, "capstone", "echo() did not close its stream at end of stream.")


@pytest.mark.hint("capstone")
def test_echo_server_with_many_concurrent_clients() -> None:
    clients = 64

    async def client(address: Any, i: int) -> int:
        stream = await stage.TcpStream.connect(address)
        total = 0
        for k in range(4):
            message = (b"%d.%d;" % (i, k)) * (1 + 3000 * (k == 3 and i % 8 == 0))
            await stream.write_all(message)
            received = b""
            while len(received) < len(message):
                data = await stream.read(65536)
                if not data:
                    fail("capstone", f"Client {i} read end of stream before its echo came back.")
                received += data
            expect(received == message, "capstone",
                   f"Client {i} sent {len(message)} bytes and read back {len(received)} "
                   "different ones.")
            total += len(message)
        stream.shutdown_write()
        tail = await stream.read(10)
        expect(tail == b"", "capstone",
               f"Client {i} closed its side; the server's side answered {tail!r} instead of "
               "closing too.")
        stream.close()
        return total

    async def root() -> tuple[int, int]:
        listener = stage.TcpListener.bind(("127.0.0.1", 0))
        try:
            server = stage.spawn(stage.serve(listener, clients))
            handles = [stage.spawn(client(listener.local_addr(), i)) for i in range(clients)]
            total = 0
            for handle in handles:
                total += await handle
            return total, await server
        finally:
            listener.close()

    with stage.Executor() as executor:
        sent, echoed = run(executor, root(), "capstone", f"an echo server and {clients} clients")
        expect(sent == echoed, "capstone",
               f"{clients} clients sent {sent} bytes in all; serve() returned {echoed!r}.")
        expect(len(executor.reactor) == 0, "deregister",
               f"Every client and connection finished, yet len(reactor) was "
               f"{len(executor.reactor)}.")



@pytest.mark.hint("capstone")
def test_serve_handles_a_second_client_while_the_first_is_idle() -> None:
    async def exchange(stream: Any, message: bytes) -> bytes:
        await stream.write_all(message)
        received = b""
        while len(received) < len(message):
            data = await stream.read(65536)
            if not data:
                break
            received += data
        stream.shutdown_write()
        await stream.read(10)
        stream.close()
        return received

    async def root() -> tuple[bytes, bytes, int]:
        listener = stage.TcpListener.bind(("127.0.0.1", 0))
        try:
            server = stage.spawn(stage.serve(listener, 2))
            idle = await stage.TcpStream.connect(listener.local_addr())  # connected first
            second = stage.spawn(exchange(await stage.TcpStream.connect(listener.local_addr()),
                                          b"second"))
            got_second = await second  # client 0 sends only after client 1 got its echo
            got_first = await exchange(idle, b"first")
            return got_first, got_second, await server
        finally:
            listener.close()

    with stage.Executor() as executor:
        first, second, echoed = run(
            executor, root(), "capstone",
            "serve(listener, 2): client 0 connects and stays idle until client 1 got its echo")
    expect((first, second) == (b"first", b"second"), "capstone",
           f"Client 0 connected and stayed idle; client 1 then sent b'second' and read back "
           f"{second!r}; then client 0 sent b'first' and read back {first!r}.")
    expect(echoed == len(b"firstsecond"), "capstone",
           f"serve(listener, 2) returned {echoed!r} instead of {len(b'firstsecond')}.")
