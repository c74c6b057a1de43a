"""A fork server for grading children (Linux): warm once, fork a fresh child for every run.

Why: a grading child spends 0.25-0.4 s importing pytest, hypothesis, the kit and the grader's
plugin, then runs tests that take about 0.1 s. The *spare* of `grader.runner` hides that
import inside one long `grade` process (`grade watch`); a fork server hides it across
commands, so a one-shot `grade N` and the project's own suite get a warm child too. The
server imports all of that once; for each run it forks a child that is in exactly the state
a spare is in when its request arrives: nothing of the attendee's imported, one run per
process, the channel and its key only in the request.

The pattern is multiprocessing's "forkserver" start method (and Android's zygote). That one
was not used: it ends with the process that started it, so it cannot outlive a one-shot
`grade`, and it runs a pickled function, not a child with its own output and exit status.

Three processes, one per role:

- **server** (`python -m grader.forkserver`, detached, one per checkout, Python and version
  of the grader's files): warms up, listens on a Unix socket in a private (0700) directory,
  then registers itself in `.grade/forkserver-<identity>.json` (address, secret, identity). For each
  connection it forks a supervisor and goes back to `accept`. It exits after `IDLE_SECONDS`
  unused, as soon as its files changed (`identity`) or its registration no longer names it.
- **supervisor** (one per run): checks that the client knows the secret, receives the run
  request with two file descriptors (the channel's write end, the output file), forks the
  runner, tells the client its pid, waits for it and sends its exit status (as
  `subprocess.Popen.returncode` has it); kills it if the client goes away.
- **runner**: a process group of its own, standard input `/dev/null`, output and errors to
  the file, the client's environment, then `grader.child.run(request)`; it leaves through
  `os._exit`, and its supervisor then ends what is left of its group (processes the
  attendee's code started and left running; a child of its own leaves those behind).

`ForkedChild` is the client's handle: the part of `subprocess.Popen` that `grader.runner`
uses (`stdin.write` sends the request; `poll`, `wait`, `kill`, `send_signal`, `pid`).

Where: Linux only by default. macOS forbids some system libraries after `fork` (a crash
there would look like the attendee's), and Windows has no `fork`: both keep the spare.
`GRADE_FORKSERVER=0` turns it off, `=1` on (any POSIX system); `GRADE_FORKSERVER_IDLE`
(seconds) sets how long a server it starts waits unused (the project's suite: one minute).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.paths import REPO_ROOT
from grader.protocol import RunRequest

IDLE_SECONDS = 20 * 60.0  # unused this long, the server exits (a workshop's edit-and-grade pause)
TICK_SECONDS = 1.0  # how often an idle server checks its registration and its files
HANDSHAKE_SECONDS = 2.0  # connecting and the server's first word: it answers in milliseconds
REPLY_SECONDS = 10.0  # a supervisor that has not answered by then is given up on
LOST = -9  # -SIGKILL: the exit status reported when the supervisor vanished mid-run


def registration(identity: str) -> Path:
    """Where the server of one identity registers: one per environment a `grade` runs in (a
    test's PYTHONUTF8=0 must not evict the server every other run uses)."""
    return REPO_ROOT / ".grade" / f"forkserver-{identity[:16]}.json"


def _starting_marker(identity: str) -> Path:
    return REPO_ROOT / ".grade" / f"forkserver-{identity[:16]}.starting"


def enabled() -> bool:
    """Whether this platform (or `GRADE_FORKSERVER`) asks for a fork server."""
    chosen = os.environ.get("GRADE_FORKSERVER", "")
    if chosen in ("0", "1"):
        return chosen == "1" and hasattr(os, "fork")
    return sys.platform.startswith("linux")


# What an interpreter reads from its environment at start, so a forked child has the server's:
# PYTHON* (hash seed, UTF-8 mode, paths...) and the locale (the default encoding of open()).
_AT_START = ("LANG", "LC_ALL", "LC_CTYPE")


def identity(state: object, env: dict[str, str]) -> str:
    """What a server's warm state depends on: Python, checkout, the files it imported, and the
    environment an interpreter reads at start."""
    interpreter = {name: value for name, value in sorted(env.items())
                   if name.startswith("PYTHON") or name in _AT_START}
    text = repr((sys.executable, sys.version, str(REPO_ROOT), state, interpreter))
    return hashlib.sha256(text.encode()).hexdigest()


# --- messages: a 4-byte length, then JSON; file descriptors ride on a message -----------------
class _Link:
    """One end of a connection: whole messages out and in, whatever the stream cuts them into.

    Reads keep what they received beyond the message they return (two messages can arrive in
    one read: "pid" and "exit" of a quick run), and collect every descriptor that came along.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.fds: list[int] = []

    def send(self, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
        data = json.dumps(message).encode()
        frame = struct.pack("!I", len(data)) + data
        if fds:
            socket.send_fds(self.sock, [frame], list(fds))
        else:
            self.sock.sendall(frame)

    def receive(self, timeout: float | None) -> dict[str, Any]:
        """The next message; TimeoutError/BlockingIOError if none by `timeout`, EOFError if closed."""
        self.sock.settimeout(timeout)
        while len(self.buffer) < 4 or len(self.buffer) < 4 + struct.unpack("!I", self.buffer[:4])[0]:
            data, fds, _, _ = socket.recv_fds(self.sock, 65536, 4)
            self.fds.extend(fds)
            if not data:
                raise EOFError("the other side closed the connection")
            self.buffer += data
            self.sock.settimeout(REPLY_SECONDS)  # the rest of a message already on its way
        size = struct.unpack("!I", self.buffer[:4])[0]
        message, self.buffer = json.loads(self.buffer[4:4 + size]), self.buffer[4 + size:]
        if not isinstance(message, dict):
            raise ValueError("a message is not a JSON object")
        return message

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = []
        self.sock.close()


def _mac(secret: str, nonce: str) -> str:
    return hmac.new(bytes.fromhex(secret), bytes.fromhex(nonce), hashlib.sha256).hexdigest()


# --- the client -------------------------------------------------------------------------------
class _RequestSender:
    """`ForkedChild.stdin`: writing the request line starts the run, as on a spare's stdin."""

    def __init__(self, child: ForkedChild) -> None:
        self.child = child

    def write(self, line: bytes) -> None:
        self.child.start(line)

    def close(self) -> None:
        pass


class ForkedChild:
    """A run served by the fork server: the part of `subprocess.Popen` the runner uses.

    Built connected and authenticated, holding its own copies of the channel's write end and
    of the output file until the request is sent; `OSError` if the server cannot be reached.
    """

    def __init__(self, address: str, secret: str, channel_fd: int, output: Path,
                 env: dict[str, str]) -> None:
        self.pid: int | None = None
        self.supervisor: int | None = None
        self.returncode: int | None = None
        self.env = env
        self.stdin = _RequestSender(self)
        self.link = _Link(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
        self.fds: tuple[int, ...] = ()
        try:
            self.link.sock.settimeout(HANDSHAKE_SECONDS)  # a stopped server: a child of our own
            self.link.sock.connect(address)
            challenge = self.link.receive(HANDSHAKE_SECONDS)
            self.link.send({"mac": _mac(secret, str(challenge.get("nonce", "")))})
            self.fds = (os.dup(channel_fd), os.open(output, os.O_WRONLY | os.O_APPEND))
        except (OSError, EOFError, ValueError) as error:
            self._close()
            raise OSError(f"the fork server did not answer: {error}") from error

    def start(self, line: bytes) -> None:
        """Send the request with the two descriptors; learn the runner's pid."""
        try:
            self.link.send({"request": line.decode("ascii"), "env": self.env}, self.fds)
            started = self.link.receive(REPLY_SECONDS)
            self.pid, self.supervisor = int(started["pid"]), int(started["supervisor"])
        except (OSError, EOFError, ValueError, KeyError, TypeError):
            self.returncode = LOST  # the supervisor is gone: nothing ran, or it cannot be watched
        finally:
            for fd in self.fds:
                os.close(fd)
            self.fds = ()

    def poll(self) -> int | None:
        return self._read_exit(0.0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._read_exit(timeout)
        if code is None:
            raise subprocess.TimeoutExpired("grader.forkserver runner", timeout or 0.0)
        return code

    def _read_exit(self, timeout: float | None) -> int | None:
        if self.returncode is not None:
            return self.returncode
        try:
            self.returncode = int(self.link.receive(timeout)["exit"])
        except (TimeoutError, BlockingIOError):
            return None
        except (OSError, EOFError, ValueError, KeyError, TypeError):
            self.send_signal(signal.SIGKILL)  # the supervisor vanished: never leave its runner
            self.returncode = LOST
        self._close()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.pid is not None and self.returncode is None:
            try:
                os.kill(self.pid, signum)
            except OSError:
                pass

    def kill(self) -> None:
        if self.pid is None and self.returncode is None:
            self.returncode = LOST  # never started: closing the connection ends its supervisor
            self._close()
        if self.pid is not None and self.returncode is None:
            try:  # the runner's own process group: it, and whatever it started
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass  # not its group yet (just forked): the runner alone, below
        self.send_signal(signal.SIGKILL)
        if self.returncode is None and self._read_exit(REPLY_SECONDS) is None:
            # The supervisor does not report the killed runner (the attendee's code stopped
            # it: SIGSTOP to its parent): end it too, rather than wait forever.
            if self.supervisor is not None:
                try:
                    os.kill(self.supervisor, signal.SIGKILL)
                except OSError:
                    pass
            self.returncode = LOST
            self._close()

    def _close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = ()
        self.link.close()


def connect(state: object, env: dict[str, str], channel_fd: int, output: Path) -> ForkedChild | None:
    """A child of the registered server if it is current, else None (and a server is started)."""
    wanted = identity(state, env)
    try:
        info = json.loads(registration(wanted).read_text(encoding="utf-8"))
        if info["identity"] == wanted:
            return ForkedChild(info["address"], info["secret"], channel_fd, output, env)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    launch(wanted, env)
    return None


_launched: list[subprocess.Popen[bytes]] = []  # launchers: each forks the server and exits at once


def _reap_launchers() -> None:
    for process in _launched:
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass


def launch(wanted: str, env: dict[str, str]) -> None:
    """Start a server in the background, unless another `grade` is starting one right now."""
    marker = _starting_marker(wanted)
    try:
        idle = float(os.environ.get("GRADE_FORKSERVER_IDLE", IDLE_SECONDS))
    except ValueError:
        idle = IDLE_SECONDS
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            if time.time() - marker.stat().st_mtime < 30:
                return  # its server registers within a second or two
            marker.unlink()
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        if not _launched:
            import atexit

            atexit.register(_reap_launchers)
        _launched.append(subprocess.Popen(
            [sys.executable, "-m", "grader.forkserver", str(idle)], cwd=REPO_ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))  # no Ctrl-C from the attendee's terminal, no held pipes
    except OSError:
        pass  # a read-only checkout: every run starts its own child, as on Windows


def serving(env: dict[str, str], timeout: float = 30.0) -> bool:
    """Start a server for a child environment `env` if none is current; wait until one is.

    For benchmarks and tests, which must know that their runs are forked; `grade` itself
    never waits (its first run starts a child of its own meanwhile).
    """
    from grader.childenv import preimported_state

    wanted = identity(preimported_state(), env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if json.loads(registration(wanted).read_text(encoding="utf-8"))["identity"] == wanted:
                return True
        except (OSError, ValueError, KeyError, TypeError):
            pass
        launch(wanted, env)
        time.sleep(0.05)  # polling for a registration file, not timing anything
    return False


def shutdown() -> None:
    """Stop every server registered for this checkout (the project's suite does, when it ends).

    Its registration is removed and the server leaves at its next tick (within TICK_SECONDS).
    No signal is sent: after a reboot the pid in a registration may be another program's.
    """
    for path in (REPO_ROOT / ".grade").glob("forkserver-*.json"):
        path.unlink(missing_ok=True)


# --- the server -------------------------------------------------------------------------------
def serve(idle: float = IDLE_SECONDS) -> None:
    """Warm up, register, and fork a supervisor per connection until idle or out of date."""
    if os.fork():  # detach: the launching `grade` reaps its child at once, the server lives on
        os._exit(0)
    from grader.atomic import write_atomically
    from grader.child import warm
    from grader.childenv import child_env, preimported_state

    # The files' state before the imports: a file changed while they run (a `git pull`) must
    # make this server out of date, not current with its old code.
    state = preimported_state()
    warm(light=False)
    own = identity(state, child_env())
    folder = tempfile.mkdtemp(prefix="grade-forkserver-")  # 0700: only this user connects
    address = os.path.join(folder, "socket")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    secret = secrets.token_hex(32)
    try:
        listener.bind(address)
        listener.listen(64)
        listener.settimeout(TICK_SECONDS)
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped by the kernel
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a `kill`: clean up, then leave
        info = {"pid": os.getpid(), "address": address, "secret": secret, "identity": own}
        if not write_atomically(registration(own), json.dumps(info)):
            return
        _starting_marker(own).unlink(missing_ok=True)
        _accept_until_idle(listener, secret, state, own, idle)
    finally:
        listener.close()
        try:
            if _still_registered(own):
                registration(own).unlink()
        except OSError:
            pass
        _starting_marker(own).unlink(missing_ok=True)
        for path in (address, folder):
            try:
                os.unlink(path) if path == address else os.rmdir(path)
            except OSError:
                pass


def _accept_until_idle(listener: socket.socket, secret: str, state: object, own: str, idle: float) -> None:
    from grader.childenv import preimported_state

    last_used = time.monotonic()
    while True:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            if time.monotonic() - last_used > idle or not _still_registered(own):
                return
            if preimported_state() != state:
                return  # the grader's or the kit's files changed: this server's imports are old
            continue
        last_used = time.monotonic()
        if os.fork() == 0:
            code = 1
            try:
                listener.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _supervise(_Link(connection), secret)
                code = 0
            finally:
                os._exit(code)
        connection.close()


def _still_registered(own: str) -> bool:
    try:
        return json.loads(registration(own).read_text(encoding="utf-8")).get("pid") == os.getpid()
    except (OSError, ValueError, AttributeError):
        return False


def _supervise(link: _Link, secret: str) -> None:
    """One run: authenticate, fork the runner, report its pid and then its exit status."""
    nonce = secrets.token_hex(16)
    link.send({"nonce": nonce})
    hello = link.receive(REPLY_SECONDS)
    if not hmac.compare_digest(str(hello.get("mac", "")), _mac(secret, nonce)):
        return
    message = link.receive(None)  # it comes when the run starts (a spare waits for it)
    if len(link.fds) != 2:
        return
    (channel, output), link.fds = link.fds, []
    request = RunRequest.parse(str(message["request"]).encode("ascii"))
    if request.fd is not None:
        request = replace(request, fd=channel)
    pid = os.fork()
    if pid == 0:
        _run(link.sock, request, output, dict(message["env"]))
    os.close(channel)
    os.close(output)
    link.send({"pid": pid, "supervisor": os.getpid()})
    # The client's end closing (Ctrl-C, a crash) means nobody will read this run: stop it.
    threading.Thread(target=_kill_when_closed, args=(link.sock, pid), daemon=True).start()
    _, status = os.waitpid(pid, 0)
    try:  # what the run started and left running (its process group outlives it): ended too
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass  # nothing left
    link.send({"exit": os.waitstatus_to_exitcode(status)})


def _kill_when_closed(connection: socket.socket, pid: int) -> None:
    try:
        while connection.recv(1):
            pass
    except OSError:
        pass
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _run(connection: socket.socket, request: RunRequest, output: int, env: dict[str, str]) -> None:
    """The runner: the state of a spare child at its request, then the run. Never returns."""
    code = 70  # EX_SOFTWARE: the grader's own failure, shown with its output
    try:
        # A process group of its own, as an own child is in its grade's: the attendee's
        # `os.kill(0, ...)` must not reach the server and every other run it serves.
        os.setpgid(0, 0)
        connection.close()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.close(output)
        os.environ.clear()
        os.environ.update(env)
        # What the server read from its own environment and kept: the client's, as a child of
        # its own would have (TZ for time.localtime, TMPDIR for tempfile).
        time.tzset()
        tempfile.tempdir = None
        from grader.child import run

        code = run(request)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)


if __name__ == "__main__":
    serve(float(sys.argv[1]) if len(sys.argv) > 1 else IDLE_SECONDS)
