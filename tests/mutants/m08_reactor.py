"""Stage 08 mistakes (SPEC §3), each a minimal edit of solutions/08_reactor/reactor.py."""

from grader.mutants import Edit, mutant

STAGE = "08_reactor"
FILE = "reactor.py"

_READ_WAIT = ("        except BlockingIOError:  # nothing to read yet, or the readiness was spurious\n"
              "            stream.reactor.register(stream.sock, READABLE, cx.waker)\n")
_ACCEPT_WAIT = ("        except BlockingIOError:  # no connection yet, or the readiness was spurious\n"
                "            listener.reactor.register(listener.sock, READABLE, cx.waker)\n")
_WRITE_WAIT = ("            except BlockingIOError:  # the send buffer is full: wait until it drains\n"
               "                stream.reactor.register(stream.sock, WRITABLE, cx.waker)\n")


def _once(wait: str) -> str:
    """Register only on the first WouldBlock (a flag), as if an interest lasted forever."""
    head, call = wait.splitlines(keepends=True)
    pad = call[: len(call) - len(call.lstrip())]
    return (head + f"{pad}if not getattr(self, '_registered', False):\n"
            f"    {call}{pad}    self._registered = True\n")


def _trusting(wait: str) -> str:
    """A second WouldBlock (after a wake) is not expected: it propagates out of poll."""
    head, call = wait.splitlines(keepends=True)
    pad = call[: len(call) - len(call.lstrip())]
    return (head + f"{pad}if getattr(self, '_woken', False):\n{pad}    raise\n"
            f"{pad}self._woken = True\n{call}")


MUTANTS = [
    # -- not re-registering after WouldBlock: a lost wake, at every I/O future --
    mutant("read_registers_once", STAGE, hint="lost_wake", file=FILE,
           find=_READ_WAIT, replace=_once(_READ_WAIT),
           note="Read registers interest only on its first Pending; after a spurious readiness "
                "it returns Pending with no interest left (the reactor's is one-shot)"),
    mutant("accept_registers_once", STAGE, hint="lost_wake", file=FILE,
           find=_ACCEPT_WAIT, replace=_once(_ACCEPT_WAIT),
           note="Accept registers only on its first Pending"),
    mutant("write_registers_once", STAGE, hint="lost_wake", file=FILE,
           find=_WRITE_WAIT, replace=_once(_WRITE_WAIT),
           note="WriteAll registers only on its first Pending"),
    # -- readiness taken as a guarantee --
    mutant("read_trusts_readiness", STAGE, hint="readiness_not_guarantee", file=FILE,
           find=_READ_WAIT, replace=_trusting(_READ_WAIT),
           note="once woken, Read lets a second BlockingIOError escape from poll"),
    mutant("accept_trusts_readiness", STAGE, hint="readiness_not_guarantee", file=FILE,
           find=_ACCEPT_WAIT, replace=_trusting(_ACCEPT_WAIT),
           note="once woken, Accept lets a second BlockingIOError escape from poll"),
    mutant("write_trusts_readiness", STAGE, hint="readiness_not_guarantee", file=FILE,
           find=_WRITE_WAIT, replace=_trusting(_WRITE_WAIT),
           note="once woken, WriteAll lets a second BlockingIOError escape from poll"),
    # -- busy polling the selector --
    mutant("select_timeout_zero", STAGE, hint="busy_wait", file=FILE,
           find="            self.reactor.turn(timeout)\n",
           replace="            self.reactor.turn(0)\n",
           note="the park calls select with timeout 0 in a loop: a busy wait"),
    mutant("self_pipe_not_drained", STAGE, hint="busy_wait", file=FILE,
           find="                self.self_pipe.drain()  #", replace="                pass  #",
           note="the self-pipe's byte is never read: every select returns at once"),
    mutant("fired_interest_left_in_selector", STAGE, hint="busy_wait", file=FILE,
           find="            self._update(entry.sock.fileno(), entry, before)  # one-shot: forget "
                "before waking\n",
           replace="            self._count -= len(wakers)\n",
           note="turn forgets the fired waker but the selector keeps watching the socket: a "
                "level-triggered select returns at once, again and again (an adversarial variant)"),
    # -- no deregistration on drop, on Ready, on close --
    mutant("read_drop_keeps_interest", STAGE, hint="deregister", file=FILE,
           find="    def drop(self) -> None:\n"
                "        self._stream.reactor.deregister(self._stream.sock, READABLE)\n",
           replace="    def drop(self) -> None:\n        pass\n",
           note="a dropped Read leaves its interest: a later readiness wakes a task that moved on"),
    mutant("accept_drop_keeps_interest", STAGE, hint="deregister", file=FILE,
           find="        self._listener.reactor.deregister(self._listener.sock, READABLE)\n",
           replace="        pass\n",
           note="a dropped Accept leaves its interest"),
    mutant("write_drop_keeps_interest", STAGE, hint="deregister", file=FILE,
           find="        self._stream.reactor.deregister(self._stream.sock, WRITABLE)\n",
           replace="        pass\n",
           note="a dropped WriteAll leaves its interest"),
    mutant("close_before_deregister", STAGE, hint="deregister", file=FILE,
           find="        self.reactor.deregister(self.sock)\n        self.sock.close()\n\n\n"
                "# --- the capstone",
           replace="        self.sock.close()\n        self.reactor.deregister(self.sock)\n\n\n"
                   "# --- the capstone",
           note="TcpStream.close closes first: the closed socket (fileno -1) is not found, its "
                "descriptor stays in the selector"),
    # -- partial writes ignored --
    mutant("partial_write_ignored", STAGE, hint="partial_write", file=FILE,
           find="            self._rest = self._rest[sent:]",
           replace="            self._rest = self._rest[len(self._rest):]",
           note="write_all takes one send() for the whole buffer"),
    mutant("sendall_restarts", STAGE, hint="partial_write", file=FILE,
           find="                sent = stream.sock.send(self._rest)\n",
           replace="                stream.sock.sendall(self._rest)\n"
                   "                sent = len(self._rest)\n",
           note="sendall() on a non-blocking socket: it raises midway, and the retry sends the "
                "data again from its start"),
    # -- 0 bytes read as "try again" --
    mutant("eof_as_would_block", STAGE, hint="eof", file=FILE,
           find="        stream.reactor.deregister(stream.sock, READABLE)\n        self._done = True\n",
           replace="        if not data:\n"
                   "            stream.reactor.register(stream.sock, READABLE, cx.waker)\n"
                   "            return Pending\n"
                   "        stream.reactor.deregister(stream.sock, READABLE)\n        self._done = True\n",
           note="recv() returning b'' is taken for 'nothing yet': the read waits forever"),
    # -- the executor's hooks, and the reactor's latest waker --
    mutant("first_waker_kept", STAGE, hint="stale_waker", file=FILE,
           find="        if interest & READABLE:\n            entry.reader = waker\n",
           replace="        if interest & READABLE:\n            entry.reader = entry.reader or waker\n",
           note="a second register keeps the first reader waker"),
    mutant("modify_drops_other_direction", STAGE, hint="reactor", file=FILE,
           find="        elif after != before:\n            self.selector.modify(sock, after, entry)\n",
           replace="        elif after != before:\n            self.selector.modify(sock, interest, entry)\n",
           note="registering a second direction makes the selector watch only that one "
                "(found by an adversarial variant)"),
    mutant("unpark_without_self_pipe", STAGE, hint="unpark", file=FILE,
           find="        self.reactor.wake()  # cheap", replace="        pass  # cheap",
           note="a wake from another thread does not interrupt the select"),
    mutant("select_under_lock", STAGE, hint="lock_held", file=FILE,
           find="        lock.release()  # a wake", replace="        pass  # a wake",
           more=(Edit(FILE, "        finally:\n            lock.acquire()\n",
                      "        finally:\n            pass\n"),),
           note="the executor keeps its lock while it waits in select"),
    mutant("io_not_a_pending_wake", STAGE, hint="wakes_pending", file=FILE,
           find="        return super()._wakes_pending() or len(self.reactor) > 0\n",
           replace="        return super()._wakes_pending()\n",
           note="a registered interest does not count: Deadlock while a read waits"),
    mutant("select_ignores_timer", STAGE, hint="park_timeout", file=FILE,
           find="            self.reactor.turn(timeout)\n",
           replace="            self.reactor.turn(None if timeout != 0 else 0)\n",
           note="the park waits in select without the timer's deadline"),
    # -- found by adversarial variants (b17, b19, b23, b27, b30, b33, b39) --
    mutant("turn_first_event_only", STAGE, hint="reactor", file=FILE,
           find="        for key, events in self.selector.select(timeout):\n",
           replace="        for key, events in self.selector.select(timeout)[:1]:\n",
           note="turn handles only the first ready key: a second ready socket waits a turn"),
    mutant("read_ready_withdraws_both", STAGE, hint="deregister", file=FILE,
           find="        stream.reactor.deregister(stream.sock, READABLE)\n        self._done = True\n",
           replace="        stream.reactor.deregister(stream.sock)\n        self._done = True\n",
           note="Read's Ready withdraws the WRITABLE interest of a write_all on the same stream"),
    mutant("write_ready_withdraws_both", STAGE, hint="deregister", file=FILE,
           find="        stream.reactor.deregister(stream.sock, WRITABLE)\n        self._done = True\n",
           replace="        stream.reactor.deregister(stream.sock)\n        self._done = True\n",
           note="WriteAll's Ready withdraws the READABLE interest of a read on the same stream"),
    mutant("serve_sequential", STAGE, hint="capstone", file=FILE,
           find="        handles.append(spawn(echo(stream)))\n",
           replace="        handles.append(await spawn(echo(stream)))\n",
           more=(Edit(FILE, "        total += await handle\n", "        total += handle\n"),),
           note="serve echoes one client to its end before accepting the next"),
    mutant("block_without_finally", STAGE, hint="lock_held", file=FILE,
           find="        try:\n            self.reactor.turn(timeout)\n"
                "        finally:\n            lock.acquire()\n",
           replace="        self.reactor.turn(timeout)\n        lock.acquire()\n",
           note="an error in select leaves _lock released: block_on raises RuntimeError "
                "(cannot release un-acquired lock) instead of the error"),
    mutant("self_pipe_read_by_hand", STAGE, hint="self_pipe", file=FILE,
           find="                self.self_pipe.drain()  #",
           replace="                drain_by_hand(self.self_pipe.reader)  #",
           more=(Edit(FILE, "_SELF_PIPE = object()",
                      "def drain_by_hand(sock: socket.socket) -> None:\n"
                      "    try:\n        while sock.recv(4096):\n            pass\n"
                      "    except BlockingIOError:\n        pass\n\n\n_SELF_PIPE = object()"),),
           note="the self-pipe is read directly, not drained: its armed flag stays set, so "
                "every later wake() writes nothing"),
    mutant("read_polled_after_ready", STAGE, hint="poll_after_ready", file=FILE,
           find='            raise PolledAfterCompletion("Read polled after it returned Ready")\n',
           replace='            pass\n',
           note="a Read polled after Ready reads again"),
    mutant("accept_polled_after_ready", STAGE, hint="poll_after_ready", file=FILE,
           find='            raise PolledAfterCompletion("Accept polled after it returned Ready")\n',
           replace='            pass\n',
           note="an Accept polled after Ready accepts again"),
    mutant("write_polled_after_ready", STAGE, hint="poll_after_ready", file=FILE,
           find='        if self._done:\n'
                '            raise PolledAfterCompletion("WriteAll polled after it returned Ready")\n',
           replace='',
           note="a WriteAll polled after Ready answers Ready again"),
    mutant("turn_counts_sockets", STAGE, hint="reactor", file=FILE,
           find="            woken += len(wakers)\n",
           replace="            woken += 1 if wakers else 0\n",
           note="turn returns the number of ready sockets, not of wakers woken (b11)"),
]
