"""Stage 02 mistakes (SPEC §3), each a minimal edit of solutions/02_state_machine."""

from grader.mutants import Edit, mutant

STAGE = "02_state_machine"
FILE = "state_machine.py"
_TO_ORDERS = "                            self.state = AwaitingOrders(user, fetch_orders(user))\n"

MUTANTS = [
    # -- UserAndOrders: the hand-written state machine
    mutant(
        "transition_without_poll",
        STAGE,
        hint="transition_without_poll",
        file=FILE,
        find=_TO_ORDERS,
        replace=_TO_ORDERS + "                            return Pending\n",
        note="moves to AwaitingOrders and returns Pending without polling the orders future",
    ),
    mutant(
        "recreated_inner_future",
        STAGE,
        hint="recreated_inner_future",
        file=FILE,
        find="                    self.state = AwaitingUser(fetch_user(), fetch_orders)\n",
        replace="                    match fetch_user().poll(cx):  # a fresh future every poll\n"
        "                        case Ready(user):\n"
        "                            self.state = AwaitingOrders(user, fetch_orders(user))\n"
        "                        case Poll.Pending:\n"
        "                            return Pending\n",
        note="never stores the user future: calls fetch_user() again on every poll",
    ),
    mutant(
        "not_lazy",
        STAGE,
        hint="not_lazy",
        file=FILE,
        find="        self.state: State[U, V] = Start(fetch_user, fetch_orders)\n",
        replace="        self.state: State[U, V] = AwaitingUser(fetch_user(), fetch_orders)\n",
        note="the constructor already calls fetch_user() (starts the body before any poll)",
    ),
    mutant(
        "poll_after_completion",
        STAGE,
        hint="poll_after_completion",
        file=FILE,
        find="                            self.state = Done()\n",
        replace="",
        note="UserAndOrders stays in AwaitingOrders after Ready and re-polls the orders future",
    ),
    mutant(
        "drop_in_flight",
        STAGE,
        hint="drop_in_flight",
        file=FILE,
        find="            case AwaitingUser(user_future, _):\n"
        "                user_future.drop()\n"
        "            case AwaitingOrders(_, orders_future):\n"
        "                orders_future.drop()\n",
        replace="            case _:\n                pass\n",
        note="UserAndOrders.drop() forgets the inner future it is waiting on",
    ),
    # -- Select
    mutant(
        "select_one_side",
        STAGE,
        hint="select_one_side",
        file=FILE,
        find="        match self.right.poll(cx):\n",
        replace="        return Pending\n        match self.right.poll(cx):\n",
        note="Select polls only the left future",
    ),
    mutant(
        "loser_not_dropped",
        STAGE,
        hint="loser_not_dropped",
        file=FILE,
        find="                self.right.drop()  # the loser",
        replace="                pass  # the loser",
        note="when left wins, the right future is never dropped",
    ),
    mutant(
        "select_polls_both",
        STAGE,
        hint="select_left_first",
        file=FILE,
        find="        match self.left.poll(cx):\n",
        replace="        left, right = self.left.poll(cx), self.right.poll(cx)\n"
        "        match left:\n",
        more=(Edit(FILE, "        match self.right.poll(cx):\n", "        match right:\n"),),
        note="Select polls both sides, then prefers left: right's Ready value is lost",
    ),
    mutant(
        "select_poll_after_completion",
        STAGE,
        hint="poll_after_completion",
        file=FILE,
        find='            raise PolledAfterCompletion("Select polled after completion")\n',
        replace="            pass\n",
        note="Select polls its children again after it returned Ready",
    ),
    # -- Join
    mutant(
        "join_sequential",
        STAGE,
        hint="join_sequential",
        file=FILE,
        find="        if self.right_out is Pending:\n",
        replace="        if self.left_out is Pending:\n            return Pending\n"
        "        if self.right_out is Pending:\n",
        note="Join awaits left, then right (one after the other, not concurrently)",
    ),
    mutant(
        "join_repoll_finished",
        STAGE,
        hint="join_repoll_finished",
        file=FILE,
        find="        if self.left_out is Pending:  # a finished child is never polled again\n"
        "            self.left_out = self.left.poll(cx)\n",
        replace="        self.left_out = self.left.poll(cx)\n",
        note="Join polls the left child on every poll, even after it returned Ready",
    ),
    mutant(
        "join_poll_after_completion",
        STAGE,
        hint="poll_after_completion",
        file=FILE,
        find='            raise PolledAfterCompletion("Join polled after completion")\n',
        replace="            pass\n",
        note="Join hands out its outputs again instead of detecting the bug",
    ),
    # -- CoroutineDriver
    mutant(
        "driver_sends_none",
        STAGE,
        hint="coroutine_driver",
        file=FILE,
        find="                    self.awaiting = self.coro.send(value)\n",
        replace="                    self.awaiting = self.coro.send(None)\n",
        note="the driver resumes the body with None instead of the awaited value",
    ),
    mutant(
        "driver_transition_without_poll",
        STAGE,
        hint="transition_without_poll",
        file=FILE,
        find="                    self.awaiting = self.coro.send(value)\n",
        replace="                    self.awaiting = self.coro.send(value)\n"
        "                    if value is not None:\n"
        "                        return Pending\n",
        note="after resuming the body, returns Pending without polling the newly awaited future",
    ),
    mutant(
        "driver_poll_after_completion",
        STAGE,
        hint="poll_after_completion",
        file=FILE,
        find='            raise PolledAfterCompletion("coroutine resumed after completion")\n',
        replace="            pass\n",
        note="the driver resumes a finished coroutine (RuntimeError) instead of detecting it",
    ),
    mutant(
        "driver_drop_without_close",
        STAGE,
        hint="drop_in_flight",
        file=FILE,
        find="            self.coro.close()\n",
        replace="            pass\n",
        note="dropping the driver forgets to close the coroutine",
    ),
]
