from grader.model import Given, Hint, Stage

STAGE = Stage(
    id="08_reactor",
    title="An I/O reactor: the runtime serves real sockets",
    minutes=60,
    files=("reactor.py",),
    given=(Given("spawn.py", source="solutions/06_spawn/spawn.py"),
           Given("timers.py", source="solutions/07_timers/timers.py")),
    goal="Add an I/O reactor to the runtime: accept, read and write futures on non-blocking "
         "sockets that register interest when they would block, a reactor on `selectors` that "
         "wakes them when their socket is ready, and an executor that parks in select with "
         "the next timer as its timeout; then an echo server on your own runtime.",
    hints=(
        Hint(
            id="reactor",
            title="The reactor's bookkeeping",
            symptom="register / turn / deregister / len(reactor) did not agree: a ready socket "
                    "did not wake its waker, woke the wrong direction, or the count was off.",
            why="The reactor is a table: for each socket and direction (readable, writable), "
                "the one waker to wake when the selector says that direction is ready. The "
                "selector must watch exactly the directions somebody waits for.",
            check="After each register, deregister and turn: what does your table hold for "
                  "that socket, and which events does the selector watch for it?",
            pointer="`Reactor.register` and `Reactor.turn`: a socket can be in the selector "
                    "only once (`register` raises KeyError the second time; `modify` changes "
                    "its events); the events of a ready key are a bit mask of READABLE and "
                    "WRITABLE.",
            rust="mio's `Registry::register(source, Token, Interest)` / `reregister`; tokio's "
                 "`ScheduledIo` keeps a reader and a writer waker per socket.",
            slide="mio: Poll, Registry, Token, Interest",
        ),
        Hint(
            id="io_future",
            title="An I/O future's answer",
            symptom="An accept, read or write future answered Pending on a ready socket, "
                    "Ready on one that was not, or the wrong value.",
            why="An I/O future does not know if its socket is ready: it tries the syscall on "
                "the non-blocking socket, and the syscall answers. Success is Ready; "
                "BlockingIOError is Pending (after registering interest).",
            check="Does every poll start with the syscall, whatever happened before?",
            pointer="The `poll` of the future the message names: the `try` around `accept`, "
                    "`recv` or `send`, and what each branch returns.",
            rust="tokio: `poll_read_ready(cx)` then `try_io(|| io.read(buf))`; Ok is Ready, "
                 "WouldBlock clears readiness and waits again.",
            slide="Try, register, Pending",
        ),
        Hint(
            id="lost_wake",
            title="Pending without interest registered",
            symptom="An I/O future returned Pending, but the reactor held no interest for it: "
                    "nothing will ever wake the task (often: after a wake, on the second "
                    "'would block').",
            why="The reactor's interest is one-shot: when it fires, it is gone. Every Pending "
                "must be preceded by a register with this poll's waker, the first time and "
                "after every wake, or the task sleeps forever.",
            check="On the BlockingIOError path, do you register every time, or only once "
                  "(a flag, an 'already registered' check)?",
            pointer="The `except BlockingIOError` branch of the future the message names: "
                    "follow it on the second Pending, after the reactor has fired and "
                    "forgotten the first interest.",
            rust="tokio clears the readiness on WouldBlock; the next `poll_read_ready` stores "
                 "the waker again. mio is edge-triggered: no new event until you drain to "
                 "WouldBlock.",
            slide="One-shot interest",
        ),
        Hint(
            id="readiness_not_guarantee",
            title="Readiness taken as a guarantee",
            symptom="A future woken by readiness found its socket not ready after all (the "
                    "syscall said 'would block') and raised, or answered something instead of "
                    "Pending.",
            why="Readiness is a hint: between the wake and the poll another reader may take "
                "the data, a connection may be reset before accept, epoll may wake spuriously. "
                "'Would block' after a wake is normal: register again, Pending.",
            check="Does your future treat a poll after a wake differently from the first poll?",
            pointer="Any flag or branch in `poll` that assumes 'I was woken, so the syscall "
                    "will work': the syscall's BlockingIOError must be caught on every poll.",
            rust="tokio's `try_io`: `Err(WouldBlock)` clears the cached readiness and loops "
                 "back to `poll_read_ready`; it is never returned to the caller.",
            slide="Readiness is a hint",
        ),
        Hint(
            id="stale_waker",
            title="Readiness woke an old waker",
            symptom="A future polled again with a new waker was woken through an older one, "
                    "or registering twice kept two wakers.",
            why="Between polls the future may have moved to another task; the latest waker is "
                "the one that reaches whoever waits now. One socket and direction, one waker.",
            check="When `register` finds that socket and direction already registered, does "
                  "the new waker replace the old one?",
            pointer="`Reactor.register` on its second call for the same socket and direction, "
                    "and the future's Pending path on its second poll.",
            rust="tokio's `poll_read_ready`: only the waker of the most recent call is woken.",
            slide="The latest waker",
        ),
        Hint(
            id="busy_wait",
            title="The park spins instead of sleeping",
            symptom="With nothing to do, the executor kept calling select: with timeout 0, or "
                    "with a socket or the self-pipe that stays ready because nobody reads it.",
            why="Parking means blocking in select until something happens. A select that "
                "returns at once (timeout 0, a level-triggered socket left in the selector, "
                "an undrained self-pipe) turns the park into a loop that burns a core.",
            check="Which timeout reaches select, and after a turn, is everything that fired "
                  "gone from the selector (and the self-pipe drained)?",
            pointer="`Executor._block` (the timeout it passes on) and `Reactor.turn`: what "
                    "happens to a fired interest in the selector, and to the self-pipe's key.",
            rust="mio's `Poll::poll(events, timeout)` blocks for `timeout`; tokio passes the "
                 "time driver's next deadline, never a zero timeout in a loop.",
            slide="One-shot interest",
        ),
        Hint(
            id="deregister",
            title="An interest outlives its future or its socket",
            symptom="A dropped (or finished) I/O future, or a closed socket, left its interest "
                    "in the reactor: a later readiness wakes a task that moved on, select sees "
                    "a closed descriptor, or block_on cannot see a deadlock.",
            why="Interest belongs to a waiting future. When it stops waiting (Ready, drop) or "
                "the socket closes, the interest goes. Closing first loses the descriptor "
                "number the selector knows it by.",
            check="Which paths end a future (Ready, drop) and a socket (close)? Does each "
                  "deregister, and before the close?",
            pointer="Each future's `drop`, its Ready path, and `TcpStream.close` / "
                    "`TcpListener.close`: after `sock.close()`, `sock.fileno()` is -1.",
            rust="tokio's `PollEvented` deregisters in its `Drop`; mio requires `deregister` "
                 "before the source is closed.",
            slide="Drop and close deregister",
        ),
        Hint(
            id="eof",
            title="End of stream taken for 'try again'",
            symptom="recv() returned b'' (the peer closed its side) and the read waited for "
                    "more instead of answering Ready(b'').",
            why="'Nothing yet' is BlockingIOError. Zero bytes is end of stream: no readiness "
                "will ever bring more, and the socket stays readable forever.",
            check="What does your read do when recv returns b''?",
            pointer="`Read.poll` after a successful `recv`: is an empty result treated like "
                    "the BlockingIOError branch?",
            rust="`AsyncReadExt::read` returns `Ok(0)` at EOF.",
            slide="Zero bytes: end of stream",
        ),
        Hint(
            id="partial_write",
            title="A partial write was ignored",
            symptom="write_all returned Ready but the peer received fewer bytes, or bytes "
                    "twice, or out of order.",
            why="send() takes what fits in the kernel's buffer and returns how many bytes that "
                "was. write_all must continue from exactly there until every byte is out. "
                "sendall() on a non-blocking socket raises midway without saying how much it "
                "sent.",
            check="Where does your next send start, and how do you know you are done?",
            pointer="`WriteAll.poll`: the value `send` returns, and what the future remembers "
                    "between polls.",
            rust="`write_all` loops on `poll_write`, advancing the slice by each `n`.",
            slide="Partial writes",
        ),
        Hint(
            id="park",
            title="The executor's park in select",
            symptom="block_on with a task waiting for a socket did not finish as expected.",
            why="The executor parks in the reactor: with nothing runnable it turns the "
                "reactor, which wakes the tasks whose sockets are ready.",
            check="Does `_block` turn the reactor with the timeout it was given?",
            pointer="`Executor._block`, `_unpark` and `_wakes_pending`: the three hooks the "
                    "layers below call (read their docstrings in `spawn.py`).",
            rust="tokio's I/O driver is the innermost park of the runtime's driver stack.",
            slide="One park for timers and I/O",
        ),
        Hint(
            id="wakes_pending",
            title="Deadlock while a socket may still wake",
            symptom="block_on raised Deadlock while a task waited for a socket, or hung when "
                    "nothing at all could wake it.",
            why="Deadlock means no wake can ever come. A registered interest is a wake that may "
                "still come (the peer may send); no interest, no timer, no blocking task: "
                "nothing can.",
            check="What does `_wakes_pending` count? Only interests that a task waits for?",
            pointer="`Executor._wakes_pending` and `len(reactor)` (the self-pipe is not an "
                    "interest).",
            rust="tokio parks forever; this runtime's Deadlock is stage 06's rule, one layer up.",
            slide="Deadlock, one layer up",
        ),
        Hint(
            id="park_timeout",
            title="Timers do not fire while waiting for I/O",
            symptom="A task waited for a socket and another for a timer: the select ignored "
                    "the timer's deadline.",
            why="Timers and I/O share one park: the timer layer computes how long the executor "
                "may sleep and hands that timeout down; select must not wait longer.",
            check="Which timeout does `_block` pass to the reactor's turn?",
            pointer="`Executor._block(timeout)`: the argument comes from stage 07's `_park` "
                    "(the earliest deadline).",
            rust="tokio's time driver parks the I/O driver with `park_timeout(next_deadline - "
                 "now)`.",
            slide="One park for timers and I/O",
        ),
        Hint(
            id="unpark",
            title="A wake from another thread does not interrupt select",
            symptom="A spawn_blocking thread finished while the executor waited in select, and "
                    "the executor went on waiting.",
            why="Every wake calls `_unpark`. The executor sleeps in select, not on its "
                "condition variable: only something select watches can wake it, the self-pipe.",
            check="What does your `_unpark` do beyond stage 06's notify?",
            pointer="`Executor._unpark` and `Reactor.wake` (given).",
            rust="mio's `Waker::wake` (an eventfd on Linux), registered with the Poll like a "
                 "socket.",
            slide="Waking a blocked select: the self-pipe",
        ),
        Hint(
            id="poll_after_ready",
            title="Polled after it finished",
            symptom="An accept, read or write future that had returned Ready was polled again "
                    "and did not raise PolledAfterCompletion.",
            why="A finished future has given its output away; a poll after that is a bug in "
                "whoever polls, and the future says so instead of trying the syscall again "
                "(a second read would take bytes meant for the next read).",
            check="Does each I/O future remember that it finished, and check that first in "
                  "poll?",
            pointer="The first lines of the `poll` the message names (`Connect.poll`, given, "
                    "shows the pattern).",
            rust="`Future::poll` after `Ready` may panic; `FusedFuture` makes it explicit.",
            slide="Try, register, Pending",
        ),
        Hint(
            id="self_pipe",
            title="A second wake from another thread does not reach select",
            symptom="The first wake() from another thread interrupted a turn; a later one did "
                    "not make the self-pipe readable again.",
            why="The self-pipe skips writing while a byte is still in it (an optimisation): it "
                "needs to know when its bytes were read. Reading them some other way leaves it "
                "believing a byte is pending, so every later wake writes nothing.",
            check="When a turn finds the self-pipe's key ready, what does it call to empty it?",
            pointer="`Reactor.turn`, the branch for the self-pipe's key, and `SelfPipe` "
                    "(given): `wake` and `drain`.",
            rust="mio's `Waker` on a pipe: the poll side drains it with the waker's own reset, "
                 "so the next `wake` writes again.",
            slide="Waking a blocked select: the self-pipe",
        ),
        Hint(
            id="lock_held",
            title="select waits with the executor's lock held",
            symptom="The executor held its `_lock` while it waited in select; another "
                    "thread's wake waited for the lock.",
            why="Every wake takes `_lock` to queue its task, then unparks. If the executor "
                "keeps the lock while it selects, the wake waits for the select, and the "
                "select for the wake.",
            check="Is `_lock` released for the whole select, and held again when `_block` "
                  "returns?",
            pointer="`Executor._block`: it is called with `_lock` held (stage 06's `_park`).",
            rust="tokio's park never holds the run queue's lock while it blocks in the driver.",
            slide="Waking a blocked select: the self-pipe",
        ),
        Hint(
            id="capstone",
            title="The echo server",
            symptom="The echo server or its clients did not exchange every byte, or did not "
                    "finish.",
            why="The capstone uses every piece at once: accept, read until end of stream, "
                "write_all, close, spawn, and the park in select.",
            check="Does `echo` stop at end of stream and close its stream; does `serve` wait "
                  "for every connection it spawned?",
            pointer="`echo` and `serve` at the end of reactor.py.",
            rust="tokio's echo example: an accept loop that spawns `io::copy` per connection.",
            slide="Capstone: an echo server",
        ),
    ),
)
