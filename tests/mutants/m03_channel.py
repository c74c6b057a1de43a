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
]
