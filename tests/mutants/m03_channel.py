"""Stage 03 mistakes (SPEC §3, plus a few found on the way), each an edit of
solutions/03_channel/channel.py."""

from grader.mutants import Edit, mutant

STAGE = "03_channel"
FILE = "channel.py"

MUTANTS = [
    mutant(
        "send_does_not_wake",
        STAGE,
        hint="send_wakes_receiver",
        file=FILE,
        find="        chan.buffer.append(value)          # the value is in the channel...\n"
             "        chan.wake_receiver()               # ...before anyone is told about it\n",
        replace="        chan.buffer.append(value)          # the value is in the channel...\n",
        note="send() queues the value but never wakes the waiting receiver",
    ),
    mutant(
        "never_ends",
        STAGE,
        hint="end_of_channel",
        file=FILE,
        find="        if chan.senders == 0:\n            return Ready(None)",
        replace="        if False:\n            return Ready(None)",
        note="recv() never reports the end of the channel",
    ),
    mutant(
        "lost_wakeup_on_close",
        STAGE,
        hint="lost_wakeup_on_close",
        file=FILE,
        find="            chan.wake_receiver()           # a waiting recv()",
        replace="            pass                           # a waiting recv()",
        note="dropping the last sender does not wake the waiting receiver",
    ),
    mutant(
        "clones_not_counted",
        STAGE,
        hint="sender_count",
        file=FILE,
        find="        self._chan.senders += 1\n",
        replace="",
        note="clone() does not count the new sender: the first drop ends the channel",
    ),
    mutant(
        "end_before_drained",
        STAGE,
        hint="drain_before_close",
        file=FILE,
        find="        if chan.buffer:                    # buffered values first",
        replace="        if chan.senders == 0:\n            return Ready(None)\n"
                "        if chan.buffer:                    # buffered values first",
        note="recv() reports the end as soon as the senders are gone, values still buffered",
    ),
    mutant(
        "stale_receiver_waker",
        STAGE,
        hint="stale_receiver_waker",
        file=FILE,
        find="        chan.rx_waker = cx.waker",
        replace="        if chan.rx_waker is None:\n            chan.rx_waker = cx.waker",
        note="recv() keeps the first waker it sees, not the latest",
    ),
    mutant(
        "send_after_close_succeeds",
        STAGE,
        hint="send_error",
        file=FILE,
        find="            raise SendError(value)         # Rust: `Err(SendError(value))`\n",
        replace="            pass\n",
        note="send() after the receiver is gone queues the value instead of handing it back",
    ),
    mutant(
        "recv_drop_closes",
        STAGE,
        hint="recv_cancel_safe",
        file=FILE,
        find="        self._chan.rx_waker = None\n",
        replace="        self._chan.closed = True\n        self._chan.buffer.clear()\n",
        note="dropping a recv() future acts like dropping the Receiver: buffered values are lost",
    ),
    mutant(
        "wake_before_queued",
        STAGE,
        hint="wake_before_queued",
        file=FILE,
        find="        chan.buffer.append(value)          # the value is in the channel...\n"
             "        chan.wake_receiver()               # ...before anyone is told about it\n",
        replace="        chan.wake_receiver()\n        chan.buffer.append(value)\n",
        note="send() wakes the receiver before the value is in the channel",
    ),
    mutant(
        "wake_before_granted",
        STAGE,
        hint="wake_before_queued",
        file=FILE,
        find="        self._state = _GRANTED             # state first...\n"
             "        self._wake()                       # ...then wake",
        replace="        self._wake()\n"
                "        self._state = _GRANTED             # ...then wake",
        note="a freed slot wakes the blocked sender before the slot is promised to it",
    ),
    mutant(
        "slot_not_woken",
        STAGE,
        hint="slot_wakes_sender",
        file=FILE,
        find="        self._wake()                       # ...then wake",
        replace="        pass                               # ...then wake",
        note="a freed slot is promised to the first blocked send, which is never woken",
    ),
    mutant(
        "close_does_not_wake_senders",
        STAGE,
        hint="close_wakes_senders",
        file=FILE,
        find="        for send in blocked:\n            send._wake()\n",
        replace="",
        note="dropping the receiver leaves blocked senders asleep",
    ),
    mutant(
        "one_waker_slot",
        STAGE,
        hint="one_waker_slot",
        file=FILE,
        find="        self.blocked: deque[Send[T]] = deque()",
        replace="        self.tx_waker: Waker | None = None  # one waker for every blocked send\n"
                "        self.blocked: deque[Send[T]] = deque()",
        note="all blocked senders share one waker slot: the latest overwrites the others",
        more=(
            Edit(FILE, "            self._waker = cx.waker         # our own slot",
                 "            chan.tx_waker = cx.waker       # shared slot"),
            Edit(FILE, "        if self._waker is not None:\n            self._waker.wake()\n",
                 "        if self._chan.tx_waker is not None:\n"
                 "            self._chan.tx_waker.wake()\n"),
        ),
    ),
    mutant(
        "stale_sender_waker",
        STAGE,
        hint="stale_sender_waker",
        file=FILE,
        find="                chan.blocked.append(self)\n            self._waker = cx.waker",
        replace="                chan.blocked.append(self)\n                self._waker = cx.waker",
        note="a blocked send keeps the waker of its first poll only",
    ),
    mutant(
        "cancelled_send_keeps_slot",
        STAGE,
        hint="cancelled_send",
        file=FILE,
        find="        elif self._state == _GRANTED and not chan.closed:\n"
             "            chan.release_slot()\n",
        replace="",
        note="a send woken for a free slot and then dropped keeps the slot forever",
    ),
    mutant(
        "cancelled_send_keeps_place",
        STAGE,
        hint="cancelled_send",
        file=FILE,
        find="        if self._state == _WAITING and not chan.closed:\n"
             "            chan.blocked.remove(self)\n        elif self._state",
        replace="        if self._state",
        note="a dropped blocked send stays in the queue, and the next free slot goes to it",
    ),
    mutant(
        "send_overtakes",
        STAGE,
        hint="send_overtakes",
        file=FILE,
        find="        if self._state == _NEW and chan.free > 0:\n",
        replace="        if self._state == _NEW and len(chan.buffer) < chan.capacity:\n",
        note="a new send checks for room with len(buffer) < capacity, ignoring the slot "
             "already promised to a blocked send",
        more=(
            Edit(FILE, "    def __init__(self, capacity: int = 0) -> None:\n",
                 "    def __init__(self, capacity: int = 0) -> None:\n"
                 "        self.capacity = capacity\n"),
        ),
    ),

    # --- kind 1: state first, then wake, at every wake site -------------------------------
    mutant(
        "bounded_send_wakes_before_queued",
        STAGE,
        hint="wake_before_queued",
        file=FILE,
        find="        chan.buffer.append(self._value)\n        chan.wake_receiver()\n",
        replace="        chan.wake_receiver()\n        chan.buffer.append(self._value)\n",
        note="a bounded send wakes the receiver before its value is in the channel",
    ),
    mutant(
        "close_wakes_before_count",
        STAGE,
        hint="wake_before_queued",
        file=FILE,
        find="        chan.senders -= 1\n        if chan.senders == 0:\n"
             "            chan.wake_receiver()           # a waiting recv() must now see Ready(None)\n",
        replace="        if chan.senders == 1:\n"
                "            chan.wake_receiver()           # a waiting recv() must now see Ready(None)\n"
                "        chan.senders -= 1\n",
        note="the last sender wakes the receiver before it is counted as gone",
    ),
    mutant(
        "rx_drop_wakes_before_closed",
        STAGE,
        hint="wake_before_queued",
        file=FILE,
        find="        chan.closed = True\n        chan.buffer.clear()\n        chan.rx_waker = None\n"
             "        blocked, chan.blocked = chan.blocked, deque()\n"
             "        for send in blocked:\n            send._wake()\n",
        replace="        chan.buffer.clear()\n        chan.rx_waker = None\n"
                "        blocked, chan.blocked = chan.blocked, deque()\n"
                "        for send in blocked:\n            send._wake()\n"
                "        chan.closed = True\n",
        note="dropping the receiver wakes the blocked sends before the channel is closed",
    ),
    mutant(
        "pass_on_wakes_before_grant",
        STAGE,
        hint="wake_before_queued",
        file=FILE,
        find="        elif self._state == _GRANTED and not chan.closed:\n"
             "            chan.release_slot()\n",
        replace="        elif self._state == _GRANTED and not chan.closed:\n"
                "            if chan.blocked:               # pass the slot on\n"
                "                following = chan.blocked.popleft()\n"
                "                following._wake()\n"
                "                following._state = _GRANTED\n"
                "            else:\n"
                "                chan.free += 1\n",
        note="a cancelled send passes its slot on, waking the next send before granting it",
    ),
    mutant(
        "bounded_send_does_not_wake",
        STAGE,
        hint="send_wakes_receiver",
        file=FILE,
        find="        chan.buffer.append(self._value)\n        chan.wake_receiver()\n",
        replace="        chan.buffer.append(self._value)\n",
        note="a bounded send queues its value but never wakes the waiting receiver",
    ),
    # --- kind 3: the latest waker, wherever it is used -----------------------------------
    mutant(
        "stale_sender_waker_on_close",
        STAGE,
        hint="stale_sender_waker",
        file=FILE,
        find="                chan.blocked.append(self)\n",
        replace="                chan.blocked.append(self)\n"
                "                self._first = cx.waker     # remembered for the close\n",
        note="dropping the receiver wakes each blocked send through the waker of its first poll",
        more=(
            Edit(FILE, '    __slots__ = ("_chan", "_state", "_value", "_waker")',
                 '    __slots__ = ("_chan", "_first", "_state", "_value", "_waker")'),
            Edit(FILE, "        for send in blocked:\n            send._wake()\n",
                 "        for send in blocked:\n            send._first.wake()\n"),
        ),
    ),
    # --- kind 4: falsy values are values ----------------------------------------------------
    mutant(
        "recv_falsy_lost",
        STAGE,
        hint="falsy_values",
        file=FILE,
        find="        if chan.buffer:                    # buffered values first, even after the "
             "senders left\n            value = chan.buffer.popleft()\n",
        replace="        value = chan.buffer.popleft() if chan.buffer else None\n"
                "        if value:                          # a value arrived\n",
        note="recv() tests the value's truthiness: a 0 or '' is taken out and lost",
    ),
    mutant(
        "send_falsy_skipped",
        STAGE,
        hint="falsy_values",
        file=FILE,
        find="        chan = self._chan\n        if chan.closed:\n            self._state = _DONE\n",
        replace="        if not self._value:                # already sent\n"
                "            return Ready(None)\n"
                "        chan = self._chan\n        if chan.closed:\n            self._state = _DONE\n",
        note="a bounded send tells 'already sent' by the value's truthiness: 0 is never sent",
    ),
    # --- kind 6: every drop and cancel path ---------------------------------------------------
    mutant(
        "cancelled_slot_lost",
        STAGE,
        hint="cancelled_slot",
        file=FILE,
        find="        elif self._state == _GRANTED and not chan.closed:\n"
             "            chan.release_slot()\n",
        replace="        elif self._state == _GRANTED and not chan.closed and chan.blocked:\n"
                "            chan.blocked.popleft()._grant()  # pass the slot on\n",
        note="a woken-then-cancelled send passes its slot on, but loses it when nobody waits",
    ),
    mutant(
        "close_wakes_first_sender_only",
        STAGE,
        hint="close_wakes_senders",
        file=FILE,
        find="        blocked, chan.blocked = chan.blocked, deque()\n"
             "        for send in blocked:\n            send._wake()\n",
        replace="        if chan.blocked:\n            chan.blocked.popleft()._wake()\n",
        note="dropping the receiver wakes only the first blocked send",
    ),
    mutant(
        "granted_send_ignores_close",
        STAGE,
        hint="close_wakes_senders",
        file=FILE,
        find="        if chan.closed:\n            self._state = _DONE\n",
        replace="        if chan.closed and self._state != _GRANTED:  # a granted slot is ours\n"
                "            self._state = _DONE\n",
        note="a send woken for a free slot completes even though the receiver is gone",
    ),
    mutant(
        "double_drop_counts_twice",
        STAGE,
        hint="sender_count",
        file=FILE,
        find="        if self._dropped:\n            return\n        self._dropped = True\n"
             "        chan = self._chan\n        chan.senders -= 1\n",
        replace="        chan = self._chan\n        chan.senders -= 1\n",
        note="a second drop() of the same sender counts it gone twice",
    ),
    mutant(
        "close_keeps_values",
        STAGE,
        hint="close_discards_values",
        file=FILE,
        find="        chan.closed = True\n        chan.buffer.clear()\n",
        replace="        chan.closed = True\n",
        note="dropping the receiver keeps the buffered values alive as long as a sender lives",
    ),
    # --- kind 8/9: order and laziness the stub states ---------------------------------------
    mutant(
        "blocked_lifo",
        STAGE,
        hint="blocked_fifo",
        file=FILE,
        find="            self.blocked.popleft()._grant()\n",
        replace="            self.blocked.pop()._grant()\n",
        note="a freed slot goes to the send that blocked last (a stack, not a queue)",
    ),
    mutant(
        "eager_send_reserves",
        STAGE,
        hint="lazy_send",
        file=FILE,
        find="        self._state = _NEW\n        self._waker: Waker | None = None\n",
        replace="        self._state = _NEW\n        self._waker: Waker | None = None\n"
                "        if chan.free > 0:                  # room now: reserve it at once\n"
                "            chan.free -= 1\n            self._state = _GRANTED\n",
        note="tx.send(v) takes a slot when the future is created, before any poll",
    ),
    # --- kind 10: a Context lives for one poll ------------------------------------------------
    mutant(
        "recv_keeps_cx",
        STAGE,
        hint="context_outlived_poll",
        file=FILE,
        find="        chan.rx_waker = cx.waker           # the latest waker",
        replace="        chan.rx_waker = cx                 # the latest waker",
        note="recv() keeps the Context, not its waker, and wakes through it later",
        more=(Edit(FILE, "            self.rx_waker = None\n            waker.wake()\n",
                   "            self.rx_waker = None\n            waker.waker.wake()\n"),),
    ),
    mutant(
        "send_keeps_cx",
        STAGE,
        hint="context_outlived_poll",
        file=FILE,
        find="            self._waker = cx.waker         # our own slot",
        replace="            self._waker = cx               # our own slot",
        note="a blocked send keeps the Context, not its waker, and is woken through it later",
        more=(Edit(FILE, "            self._waker.wake()\n", "            self._waker.waker.wake()\n"),),
    ),
    # --- found by the adversarial self-check (realistic slips no test was written for) ------
    mutant(
        "granted_send_does_not_wake",
        STAGE,
        hint="send_wakes_receiver",
        file=FILE,
        find="        self._state = _DONE\n        chan.buffer.append(self._value)\n"
             "        chan.wake_receiver()\n",
        replace="        waited = self._state == _GRANTED\n"
                "        self._state = _DONE\n        chan.buffer.append(self._value)\n"
                "        if not waited:                     # (the receiver was woken earlier)\n"
                "            chan.wake_receiver()\n",
        note="a send that waited for its slot queues its value without waking the receiver",
    ),
    mutant(
        "cancel_after_close_raises",
        STAGE,
        hint="cancelled_send",
        file=FILE,
        find="        if self._state == _WAITING and not chan.closed:\n",
        replace="        if self._state == _WAITING:\n",
        note="dropping a blocked send after the receiver is gone removes it from a queue that "
             "was already emptied (ValueError)",
    ),
    mutant(
        "slot_counted_twice",
        STAGE,
        hint="bounded_capacity",
        file=FILE,
        find="        if self.blocked:\n            self.blocked.popleft()._grant()\n"
             "        else:\n            self.free += 1\n",
        replace="        self.free += 1\n        if self.blocked:\n"
                "            self.blocked.popleft()._grant()\n",
        note="a freed slot is promised to the first blocked send and also counted free",
    ),
    mutant(
        "grant_head_twice",
        STAGE,
        hint="slot_wakes_sender",
        file=FILE,
        find="            self.blocked.popleft()._grant()\n",
        replace="            self.blocked[0]._grant()\n",
        note="a freed slot goes to the head of the queue, which stays there: a second slot "
             "goes to it again, not to the next send",
    ),
    mutant(
        "send_queued_twice",
        STAGE,
        hint="send_queued_twice",
        file=FILE,
        find="            if self._state == _NEW:        # full: queue up behind the earlier sends\n"
             "                self._state = _WAITING\n                chan.blocked.append(self)\n",
        replace="            self._state = _WAITING         # full: queue up behind the earlier sends\n"
                "            chan.blocked.append(self)\n",
        note="a blocked send joins the queue again on every Pending poll",
    ),
    mutant(
        "cancelled_slot_counted_twice",
        STAGE,
        hint="cancelled_slot",
        file=FILE,
        find="        elif self._state == _GRANTED and not chan.closed:\n"
             "            chan.release_slot()\n",
        replace="        elif self._state == _GRANTED and not chan.closed:\n"
                "            chan.free += 1                 # our slot is free again...\n"
                "            chan.release_slot()            # ...and goes to the next send\n",
        note="a woken-then-cancelled send passes its slot on and also counts it free",
    ),
]
