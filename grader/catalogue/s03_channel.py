from grader.model import Hint, Stage

STAGE = Stage(
    id="03_channel",
    title="An async channel",
    minutes=45,
    files=("channel.py",),
    goal="Build an mpsc channel on the poll protocol: unbounded send and async recv, sender "
         "clones, closing from either side, then a bounded channel whose send waits for room.",
    hints=(
        Hint(
            id="send_recv",
            title="Send, then receive",
            symptom="A value sent with `tx.send(v)` did not come back from `rx.recv()` as "
                    "`Ready(v)`, or `recv()` on an empty channel was not Pending.",
            why="A channel is shared state: both handles from `channel()` point at the same "
                "buffer. `send` puts a value in, a poll of `recv()` takes the oldest one out, "
                "and with nothing buffered (and a sender alive) there is nothing to return yet.",
            check="Does `channel()` build one shared object and give it to both handles? Does "
                  "`Recv.poll` look at that buffer on every poll, not a copy taken earlier?",
            rust="`let (tx, mut rx) = mpsc::unbounded_channel(); tx.send(1)?; "
                 "assert_eq!(rx.recv().await, Some(1));`",
            slide="A channel is shared state plus wakers",
            pointer="Follow one value through the attribute names: in `channel()`, is the same "
                    "`_Channel` object passed to `Sender(...)` and `Receiver(...)`, and does "
                    "`Recv.__init__` keep that channel or a snapshot of its buffer? Then check "
                    "that `Sender.send` and `Recv.poll` name the very same attribute of it.",
        ),
        Hint(
            id="fifo",
            title="Values must arrive in send order",
            symptom="Values sent from one or several senders came out of `recv()` in a "
                    "different order than they were sent.",
            why="A channel is a queue: first in, first out, across all senders, because every "
                "sender appends to the same buffer. Receivers rely on that order (a \"start\" "
                "message before its \"data\").",
            check="Which end of your buffer does `send` add to, and which end does `recv` take "
                  "from? Do clones share the original's buffer?",
            rust="`VecDeque::push_back` in send, `pop_front` in recv.",
            slide="A channel is shared state plus wakers",
            pointer="Compare the two lines that touch the deque: the one in `Sender.send` (and "
                    "on the Ready path of `Send.poll`) and the one in `Recv.poll`. Then read "
                    "`_SenderHandle.clone`: does the new handle get `self._chan`, or a fresh "
                    "`_Channel`?",
        ),
        Hint(
            id="send_wakes_receiver",
            title="A send must wake the waiting receiver",
            symptom="`rx.recv()` returned Pending, then a value was sent, and the receiver's "
                    "waker was not woken (or recv() kept no waker at all).",
            why="Pending is a promise that someone will wake the task. For `recv()`, that "
                "someone is the sender: the receiver stores its waker in the shared state, and "
                "the send that makes a value available wakes it.",
            check="Where does `Recv.poll` leave its waker before returning Pending? Does every "
                  "path that adds a value (both kinds of send) wake it afterwards?",
            rust="`if let Some(w) = chan.rx_waker.take() { w.wake(); }` after `push_back`.",
            slide="recv(): Pending means a waker is stored",
            pointer="Follow the test's order: first the branch of `Recv.poll` that returns "
                    "Pending (which attribute of `_Channel` holds the waker after it?), then "
                    "`Sender.send` and the Ready path of `Send.poll`. Do they read that same "
                    "attribute, by the same name?",
        ),
        Hint(
            id="end_of_channel",
            title="The end of the channel is Ready(None)",
            symptom="Every sender was dropped and nothing was buffered, but `recv()` did not "
                    "return `Ready(None)` (every time it is polled from then on).",
            why="With no sender left, no value can ever arrive: waiting would hang the task "
                "forever. `None` tells the receiver to stop, which is how `while let "
                "Some(v) = rx.recv().await` loops end.",
            check="Does your shared state know how many senders are alive? What does "
                  "`Recv.poll` do when the buffer is empty and that count is zero?",
            rust="`rx.recv().await` returns `None` once all `Sender`s are dropped and the "
                 "buffer is empty.",
            slide="Counting senders",
            pointer="Walk through `Recv.poll` with an empty buffer: which attribute holds the "
                    "sender count, what does `_Channel.__init__` set it to (`channel()` already "
                    "hands out one sender), and is it read before the waker is stored? Poll "
                    "twice in a row after the last drop: does anything on that path change so "
                    "that the second answer differs?",
        ),
        Hint(
            id="lost_wakeup_on_close",
            title="Last sender dropped without waking the receiver",
            symptom="`rx.recv()` was Pending and the last sender was dropped, but the "
                    "receiver's waker was never woken: that task sleeps forever.",
            why="Dropping the last sender changes what `recv()` would return (from \"nothing "
                "yet\" to \"the end\"), exactly like a send does. Any change that lets a "
                "waiting future finish must wake it.",
            check="What does `drop()` do when it takes the sender count to zero? A waiting "
                  "receiver's waker is stored in the shared state.",
            rust="`impl Drop for Sender<T>`: if this was the last sender, take and wake "
                 "the receiver's waker.",
            slide="Closing: the last sender wakes the receiver",
            pointer="Step through `_SenderHandle.drop` for the last live handle: after the line "
                    "that changes the count, does any line reach the waker the pending "
                    "`Recv.poll` left behind? Make sure too that a Pending `Recv.poll` stores "
                    "its waker where `drop` can find it, on the shared channel and not on the "
                    "`Recv` object.",
        ),
        Hint(
            id="sender_count",
            title="Sender clones must be counted",
            symptom="With a clone of the sender still alive, the channel behaved as if every "
                    "sender were gone (or dropping one sender twice counted twice).",
            why="`clone()` makes another sender: the channel ends only when the *last* one is "
                "dropped. Python has no `Drop`, so `drop()` is called by hand, and calling it "
                "again on the same handle must not count twice.",
            check="Does `clone()` increase the count of live senders? Does each handle remember "
                  "that it was already dropped?",
            rust="`impl Clone for Sender<T>` increments the sender count; `Drop` decrements it "
                 "exactly once per handle.",
            slide="Counting senders",
            pointer="Two places: `_SenderHandle.clone`, before it returns the new handle (does "
                    "it touch `self._chan` at all?), and the first lines of "
                    "`_SenderHandle.drop` (what does it read and set of `self._dropped`?). Also "
                    "look at the starting count in `_Channel.__init__`.",
        ),
        Hint(
            id="drain_before_close",
            title="End of channel while values are still buffered",
            symptom="Values were sent, then the last sender was dropped, and `recv()` "
                    "returned `None` before returning those values.",
            why="Dropping a sender means \"no more values\", not \"forget the values I "
                "sent\". The receiver must get everything that was sent, then the end.",
            check="In `Recv.poll`, which do you check first: the buffer or the sender count?",
            rust="tokio: \"the channel is closed once all senders are dropped *and* all "
                 "buffered values are received\".",
            slide="Closing: the last sender wakes the receiver",
            pointer="Walk through `Recv.poll` in the test's state: values still in the buffer "
                    "and the sender count at zero. Which `return` is reached first? Also make "
                    "sure `_SenderHandle.drop` leaves the buffer alone.",
        ),
        Hint(
            id="falsy_values",
            title="A falsy value is still a value",
            symptom="A value such as `0`, `\"\"`, `[]` or `False` was sent and did not come "
                    "back from `recv()` as itself (it was lost, skipped, taken for \"nothing "
                    "yet\" or for the end), or a send of it was treated as already done.",
            why="`recv()` answers `Ready(value)` or `Ready(None)` for the end: whether a value "
                "is there is a question about the buffer, never about the value. `if value:` "
                "is False for `0` and `\"\"`, so a test of truthiness turns real values into "
                "\"nothing\".",
            check="Find every `if` in your channel that looks at a value (or at a variable "
                  "that may hold one) rather than at the buffer's length or a state flag.",
            rust="`Some(0)` is not `None`: Rust's `Option<T>` cannot confuse them. Python's "
                 "`if x:` can; test `len(buffer)` or `x is None` instead.",
            slide="Truthiness is not readiness",
            pointer="Besides `Recv.poll` right after it takes a value, look at `Send.poll` and "
                    "`Send.drop` (a test on `self._value` to know whether the send is done) and "
                    "at any `_Channel` helper that returns a value or None. A `value or ...`, "
                    "an `if not value` or a `while (v := ...)` hides there as well.",
        ),
        Hint(
            id="stale_receiver_waker",
            title="Stale receiver waker",
            symptom="`recv()` was polled with two different wakers; a send (or the last "
                    "sender leaving) woke the older one, or the newest waker was not kept.",
            why="A task can move between polls (another executor, a `select`, a new `recv()` "
                "future): only the waker of the latest poll is sure to reach the task that "
                "waits now.",
            check="Does `Recv.poll` replace the stored waker on every Pending poll, or only "
                  "when none is stored yet?",
            rust="`chan.rx_waker = Some(cx.waker().clone())` on every Pending poll "
                 "(tokio's `AtomicWaker::register`).",
            slide="recv(): Pending means a waker is stored",
            pointer="Look at the line of `Recv.poll` that stores the waker: is it inside an "
                    "`if` (on the stored waker being None, or on a flag)? Then look at the wake "
                    "sites: do `Sender.send` and the last sender's `drop` read the waker from "
                    "the channel at the moment they wake, or from a copy kept earlier on a "
                    "`Recv` object?",
        ),
        Hint(
            id="send_error",
            title="Sending to a dropped receiver must fail and hand the value back",
            symptom="After `rx.drop()`, `tx.send(value)` did not raise `SendError` carrying "
                    "that exact value.",
            why="Nobody can ever receive the value, so the send must fail, and the value "
                "goes back to the caller, who may still need it (log it, retry elsewhere).",
            check="Does the receiver's `drop()` mark the shared state as closed? Does `send` "
                  "check that first and raise `SendError(value)`?",
            rust="`tx.send(v)` returns `Err(SendError(v))`; the value is in `err.0`.",
            slide="Receiver gone: give the value back",
            pointer="The first lines of `Sender.send` (and of `Send.poll` for a bounded "
                    "channel), and `Receiver.drop`: which attribute does the drop set, and do "
                    "the sends read that same one before touching the buffer? Then look at what "
                    "you pass to `SendError`: the test checks that `err.value` is the very "
                    "object it sent.",
        ),
        Hint(
            id="recv_cancel_safe",
            title="Dropping a recv() future must lose nothing",
            symptom="A `recv()` future was dropped (cancelled) while pending, and a value "
                    "sent around that time never reached a later `recv()`.",
            why="Futures get dropped all the time: a `select` picks another branch, a timeout "
                "fires. `recv()` is cancel-safe: a value stays in the channel until a poll "
                "returns it as `Ready`, so nothing is lost with an abandoned future.",
            check="What does `Recv.drop()` do? It cancels one wait; it is not the receiver "
                  "being dropped. Does anything take a value out before a poll returns it?",
            rust="tokio documents `Receiver::recv` as cancel safe: usable in `select!` loops.",
            slide="Cancel safety",
            pointer="Read `Recv.poll` and `Recv.drop` together: does either one take a value "
                    "out of the buffer into an attribute of the `Recv` object, where it is lost "
                    "once that object is dropped? And does `Recv.drop` change state that "
                    "belongs to the `Receiver`, such as the closed flag or the buffer?",
        ),
        Hint(
            id="close_discards_values",
            title="Dropping the receiver drops the buffered values",
            symptom="Values were buffered, the receiver was dropped, and the channel still held "
                    "on to them (a sender was still alive).",
            why="Once the receiver is gone, nobody can ever take those values out. Holding them "
                "until the last sender goes is a leak, and worse: a value that owns something "
                "(a reply channel, a file, a lock guard) is never released, so whoever waits "
                "on it waits forever.",
            check="What does the receiver's `drop()` do with the values still in the buffer?",
            rust="Dropping tokio's `Receiver` drains and drops the buffered messages: a "
                 "`oneshot::Sender` inside one is dropped, and its requester gets an error.",
            slide="Receiver gone: give the value back",
            pointer="Read `Receiver.drop` just after it marks the channel closed: follow the "
                    "buffer, and ask whether anything still refers to those values while a "
                    "sender handle keeps the `_Channel` alive.",
        ),
        Hint(
            id="wake_before_queued",
            title="Waking before the state is ready",
            symptom="A wake was sent, the woken task was polled right away (inside `wake()`), "
                    "and it found nothing ready: the value (or the close, or the free slot) "
                    "came only after the wake.",
            why="After `wake()`, the task may be polled at any moment, even before `wake()` "
                "returns (another thread, an executor that polls inline). If the state is not "
                "updated yet, that poll sees nothing, stores a new waker and returns Pending, "
                "and nobody wakes it again.",
            check="In each place that wakes someone (both sends, the last sender's drop, the "
                  "receiver's drop, the freed slot, the slot a cancelled send passes on), is "
                  "the state change done before the `wake()` call?",
            rust="Update the channel, then wake; in threaded code, wake after releasing the "
                 "lock: `let w = chan.lock().rx_waker.take(); drop(guard); w.wake()`.",
            slide="Make the state ready, then wake",
            pointer="The test's waker polls inside `wake()`: at each `wake()` line, write down "
                    "what a `Recv.poll` or `Send.poll` run at that very moment would see in the "
                    "channel. In the bounded part, look also at the code that hands a freed "
                    "slot to a blocked send: does that send's state already say it got the slot "
                    "when its waker fires?",
        ),
        Hint(
            id="bounded_capacity",
            title="Bounded send: room means Ready, full means Pending",
            symptom="On `bounded(n)`, a send with room did not finish on its first poll, a "
                    "send into a full channel did not return Pending, or `send` did not "
                    "return a future.",
            why="Backpressure: a bounded channel holds at most `capacity` values, so a fast "
                "sender must wait for the receiver. That is why its `send` is a future.",
            check="Does `BoundedSender.send` return a `Send` future (lazy: nothing happens "
                  "before its first poll)? Does its poll compare the buffered values with the "
                  "capacity?",
            rust="`mpsc::channel(n)`; `tx.send(v).await` waits while `n` values are buffered.",
            slide="Bounded: capacity and backpressure",
            pointer="Start in `_Channel.__init__`: what does it keep from `capacity` (a count "
                    "of free slots, or the capacity to compare with `len(buffer)`)? Then follow "
                    "that number on both sides: where the Ready path of `Send.poll` queues a "
                    "value, and where `Recv.poll` takes one out.",
        ),
        Hint(
            id="lazy_send",
            title="A send does nothing before its first poll",
            symptom="`tx.send(v)` on a bounded channel did something (took a slot, queued the "
                    "value) when the future was created, before anyone polled it.",
            why="A future is a description of work: it may be polled later, or never (dropped "
                "unpolled by a `select`). If creating it takes a slot, a future nobody polls "
                "holds that slot, and the other senders wait for nothing.",
            check="What runs in `BoundedSender.send` and in `Send.__init__`? Only the first "
                  "`poll` may look at the channel.",
            rust="`let f = tx.send(v);` does nothing: \"futures are lazy and do nothing "
                 "unless polled\".",
            slide="Bounded: capacity and backpressure",
            pointer="Read `BoundedSender.send` line by line: anything there besides building "
                    "the future (a slot counted, a value appended, a queue joined) runs the "
                    "moment the test creates it. In `Send.__init__`, does any line change an "
                    "attribute of `self._chan`, or does it only keep references on `self`?",
        ),
        Hint(
            id="slot_wakes_sender",
            title="A freed slot must wake a blocked sender",
            symptom="A send was Pending on a full channel; `recv()` took a value out, and the "
                    "blocked sender was not woken (or did not finish on its next poll).",
            why="For a blocked send, the receiver is the one who makes progress possible: "
                "each value it takes frees a slot, and it must wake a sender waiting for one.",
            check="When `Recv.poll` returns a value from a bounded channel, what does it do "
                  "about the blocked sends? Where did they leave their wakers?",
            rust="tokio: receiving a value releases a semaphore permit, which wakes the first "
                 "waiting `send`.",
            slide="Bounded: capacity and backpressure",
            pointer="Take the branch of `Recv.poll` that returns a value on a bounded channel "
                    "and trace the slot that value held: does it reach the first blocked `Send` "
                    "(its state and its own waker), or only a counter that nobody waiting is "
                    "watching?",
        ),
        Hint(
            id="blocked_fifo",
            title="Blocked sends are served in the order they started waiting",
            symptom="Several sends were blocked on a full channel; a freed slot went to one "
                    "that started waiting later than another.",
            why="The blocked sends form a queue: the first to block is the first served. A "
                "stack (or any other order) lets the newest sender go first, and under load "
                "the oldest may never get a turn.",
            check="Where do blocked sends join your queue, and which end does a freed slot "
                  "take them from?",
            rust="tokio's bounded channel is fair: \"calls to `send` complete in the order "
                 "they were requested\" (a FIFO `VecDeque`: `push_back`, `pop_front`).",
            slide="Fair: first blocked, first served",
            pointer="Find the line in `Send.poll` where a send first joins the blocked queue "
                    "and the line (in `Recv.poll` or a `_Channel` helper) that picks the send "
                    "for a freed slot. Compare the two deque methods used there.",
        ),
        Hint(
            id="close_wakes_senders",
            title="Dropping the receiver must wake blocked senders",
            symptom="Senders were blocked on a full channel and the receiver was dropped; they "
                    "were not woken, or their next poll did not raise `SendError` with their "
                    "own value.",
            why="With the receiver gone, no slot will ever free: a blocked send must learn "
                "that it failed, so its task can go on (and get its value back).",
            check="Does the receiver's `drop()` wake every blocked send? Does `Send.poll` check "
                  "for a closed channel first?",
            rust="`tx.send(v).await` returns `Err(SendError(v))` once the receiver is dropped, "
                 "even if it was waiting.",
            slide="Bounded: capacity and backpressure",
            pointer="Read `Receiver.drop` after the closed flag: where are the blocked sends "
                    "kept, and does it reach each one's own waker (not the receiver's)? Then "
                    "the first lines of `Send.poll` for a send that was woken or already given "
                    "a slot: which `if` runs before the closed test?",
        ),
        Hint(
            id="one_waker_slot",
            title="Each blocked sender needs its own waker",
            symptom="Two sends were blocked; when a slot freed for the first one, its waker "
                    "was not woken (the other sender's was).",
            why="Several tasks can wait to send at once. A single waker slot in the channel "
                "keeps only the last one: the task whose turn it is never hears about it.",
            check="Where does a blocked send store its waker? There must be one per waiting "
                  "send, in a queue, in the order they started waiting.",
            rust="tokio's semaphore keeps an intrusive list of waiters, each with its own "
                 "`Waker`.",
            slide="One waker per blocked sender",
            pointer="On the Pending path of `Send.poll`, is the waker stored on `self` (each "
                    "`Send` object) or in one attribute of the shared `_Channel`? Then look at "
                    "the code that hands out a freed slot: whose waker does it wake?",
        ),
        Hint(
            id="send_queued_twice",
            title="A re-polled send must keep its one place in the queue",
            symptom="A blocked send was polled again while it waited; later a freed slot went "
                    "to it a second time (after it had finished) instead of to the next send.",
            why="A task may be polled many times while it waits (spurious wakes, a `select` "
                "polling every branch). Each Pending poll updates that send's waker; it must "
                "not add the send to the queue again. A stale second entry swallows a freed "
                "slot, and the sends behind it wait forever.",
            check="In `Send.poll`, what decides whether to join the queue: is it only the "
                  "first Pending poll?",
            rust="tokio's waiter node is linked into the queue once, when the `Acquire` future "
                 "first waits; later polls only update its waker.",
            slide="One waker per blocked sender",
            pointer="Follow `Send.poll` on its second Pending poll (the test polls the same "
                    "blocked send again before any slot frees) and count how many times that "
                    "send object ends up in the blocked queue. What on `self` tells that poll "
                    "the send already waits?",
        ),
        Hint(
            id="stale_sender_waker",
            title="Stale sender waker",
            symptom="A blocked send was polled again with a new waker; when its slot freed, the "
                    "older waker was woken (or the newest was not kept).",
            why="Same rule as for `recv()`: only the waker of the latest poll is sure to reach "
                "the task that waits now.",
            check="On every Pending poll of `Send`, do you replace that send's stored waker, "
                  "or only set it the first time?",
            rust="A waiter node updates its `Waker` on each poll "
                 "(`if !w.will_wake(cx.waker()) { *w = cx.waker().clone() }`).",
            slide="One waker per blocked sender",
            pointer="On the Pending path of `Send.poll`, is the line that stores the waker "
                    "inside the same `if` as the line that joins the queue, so that it only "
                    "runs on the first Pending poll?",
        ),
        Hint(
            id="cancelled_send",
            title="A cancelled send must give up its place and its slot",
            symptom="A blocked send was dropped (cancelled); afterwards a freed slot never "
                    "reached the next blocked sender, or the drop itself raised an error.",
            why="A dropped future will never be polled again. If it stays in the queue, or "
                "keeps a slot it was woken for, that slot is lost and every sender behind it "
                "waits forever. Its value is never sent.",
            check="What does `Send.drop()` do while the send waits in the queue, once a "
                  "slot was freed for it but it was not polled yet, and after the receiver is "
                  "gone (is it still in your queue then)?",
            rust="Dropping tokio's `send` future removes its waiter node, and a permit already "
                 "assigned to it is released to the next waiter.",
            slide="Cancel safety",
            pointer="List the states a `Send` can be in when `drop()` is called (never polled, "
                    "waiting in the queue, given a slot but not yet polled, finished, or "
                    "waiting when `Receiver.drop` emptied the queue) and write next to each "
                    "what your `Send.drop` does to the `_Channel`. Which of them does your code "
                    "tell apart?",
        ),
        Hint(
            id="cancelled_slot",
            title="A cancelled send's slot goes to exactly one place",
            symptom="A slot was freed for a blocked send, which was cancelled before its next "
                    "poll. Afterwards the channel held fewer values than its capacity (the "
                    "slot went nowhere: nobody else was waiting) or more (the slot went to the "
                    "next send *and* back to the channel).",
            why="The slot was promised to that send and the send is gone: the slot goes to "
                "the next blocked send if there is one, else back to the channel, never both "
                "and never neither. Lose it and the channel shrinks for good (with capacity "
                "1, nothing gets through any more); count it twice and it overflows.",
            check="In `Send.drop()` for a send that was granted a slot: where does the slot "
                  "go when another send waits, and where when none does? Does the same slot "
                  "reach one place only?",
            rust="Dropping a tokio `send` future that was assigned a permit releases it to the "
                 "semaphore once: to the next waiter, or back to the free permits.",
            slide="Cancel safety",
            pointer="Put the branch of `Send.drop` for a send that was given a slot next to the "
                    "code in `Recv.poll` that frees a slot. Do they make the same decision, or "
                    "does `drop` do something of its own, like raising the free count and also "
                    "waking the next send?",
        ),
        Hint(
            id="send_overtakes",
            title="A new send overtook a blocked one",
            symptom="A slot freed for a blocked send, and before that send was polled again, "
                    "a new send took the slot.",
            why="Blocked sends complete in the order they started waiting. If a new send can "
                "grab a slot freed for a waiting one, a busy sender can starve the others, and "
                "the channel may even hold more than `capacity` values.",
            check="When a slot frees with sends waiting, is it promised to the first of them? "
                  "Does a new send check for such promised slots, not only the buffer length?",
            rust="tokio's bounded channel is fair: \"calls to `send` complete in the order "
                 "they were requested\".",
            slide="Fair: first blocked, first served",
            pointer="Read the first poll of a brand-new `Send`, the branch that takes a slot at "
                    "once: what exactly does its `if` look at? And when a slot is freed for a "
                    "waiting send, does your free count go up as well, so that a newcomer sees "
                    "it?",
        ),
        Hint(
            id="interleavings",
            title="A random sequence of operations broke the channel",
            symptom="A random mix of sends, receives, clones, drops and cancellations ended "
                    "differently from a simple model (a queue): the failure lists the steps.",
            why="Each rule holds alone, but state carried from one operation to the next "
                "(counts, wakers, queued sends, promised slots) can go stale in a sequence "
                "the other tests did not try.",
            check="Replay the listed steps by hand (or in a small script) with your channel, "
                  "printing its state after each step, and compare with what the message "
                  "expected.",
            rust="Like a property test (`proptest`) or a `loom` model check: a failing "
                 "schedule, a few steps long, that you can replay.",
            slide="Random interleavings",
            pointer="Find the first listed step after which your channel's state differs from "
                    "the model's, not the last one. The values that drift most often are the "
                    "sender count and the free-slot count, and the blocked queue may still hold "
                    "sends that finished or were dropped.",
        ),
    ),
)
