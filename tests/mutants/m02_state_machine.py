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
        find="            if self.right_out is Pending:\n"
        "                self.right_out = self.right.poll(cx)\n",
        replace="            if self.left_out is Pending:\n                return Pending\n"
        "            if self.right_out is Pending:\n"
        "                self.right_out = self.right.poll(cx)\n",
        note="Join awaits left, then right (one after the other, not concurrently)",
    ),
    mutant(
        "join_repoll_finished",
        STAGE,
        hint="join_repoll_finished",
        file=FILE,
        find="            if self.left_out is Pending:  # a finished child is never polled again\n"
        "                self.left_out = self.left.poll(cx)\n",
        replace="            self.left_out = self.left.poll(cx)\n",
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
        "driver_lets_stopiteration_out",
        STAGE,
        hint="coroutine_driver",
        file=FILE,
        find="                try:\n"
        "                    # Run the body up to its next `await`, which yields the awaited future.\n"
        "                    self.awaiting = self.coro.send(value)\n"
        "                except StopIteration as finished:  # `return x` in the body\n"
        "                    self.done = True\n"
        "                    return Ready(finished.value)\n",
        replace="                self.awaiting = self.coro.send(value)\n",
        note="the driver does not catch StopIteration: the body's return escapes from poll",
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

# -- issue 10: the latest waker, this poll's Context (kinds 3 and 10)
_SELECT_INIT = "        self.right = right\n        self.done = False\n"
_JOIN_POLL = "            if self.left_out is Pending:  # a finished child is never polled again\n"
_DRIVER_INIT = "        self.awaiting: Future[Any] | None = None  # the future the body is suspended on\n"
MUTANTS += [
    mutant(
        "select_keeps_first_waker",
        STAGE,
        hint="stale_waker",
        file=FILE,
        find=_SELECT_INIT,
        replace=_SELECT_INIT + "        self.waker: Any = None\n",
        more=(
            Edit(
                FILE,
                "            return self._race(cx)\n",
                "            if self.waker is None:\n"
                "                self.waker = cx.waker  # keep the waker, like a leaf future\n"
                "            return self._race(Context(self.waker))\n",
            ),
        ),
        note="Select keeps the waker of its first poll and polls both sides with it ever after",
    ),
    mutant(
        "join_keeps_first_cx",
        STAGE,
        hint="context_outlived_poll",
        file=FILE,
        find=_JOIN_POLL,
        replace="            self.cx = getattr(self, 'cx', cx)  # the task's context, kept\n"
        "            cx = self.cx\n" + _JOIN_POLL,
        note="Join stores the Context of its first poll and polls its children with it later",
    ),
    mutant(
        "driver_keeps_first_cx",
        STAGE,
        hint="context_outlived_poll",
        file=FILE,
        find=_DRIVER_INIT,
        replace=_DRIVER_INIT + "        self.cx: Context | None = None\n",
        more=(
            Edit(
                FILE,
                "            match self.awaiting.poll(cx):  # polled at once, in this same poll\n",
                "            if self.cx is None:\n"
                "                self.cx = cx\n"
                "            match self.awaiting.poll(self.cx):  # polled at once, in this same poll\n",
            ),
        ),
        note="CoroutineDriver keeps the Context of its first poll and polls awaited futures with it",
    ),
]

# -- issue 10: falsy outputs are outputs (kind 4)
MUTANTS += [
    mutant(
        "state_machine_falsy_user",
        STAGE,
        hint="falsy_output",
        file=FILE,
        find="                        case Ready(user):\n",
        replace="                        case Ready(user) if user:\n",
        note="UserAndOrders treats a falsy user (None, 0, '', []) as not arrived yet",
    ),
    mutant(
        "select_result_as_done_flag",
        STAGE,
        hint="falsy_output",
        file=FILE,
        find=_SELECT_INIT,
        replace=_SELECT_INIT + "        self.result: Any = None  # the winner's value, once there is one\n",
        more=(
            Edit(
                FILE,
                "        if self.done:\n"
                "            raise PolledAfterCompletion(\"Select polled after completion\")\n",
                "        if self.result is not None:\n"
                "            raise PolledAfterCompletion(\"Select polled after completion\")\n",
            ),
            Edit(
                FILE,
                "                self.right.drop()  # the loser",
                "                self.result = left_value\n                self.right.drop()  # the loser",
            ),
            Edit(
                FILE,
                "                self.left.drop()\n                return Ready(Right(right_value))\n",
                "                self.result = right_value\n"
                "                self.left.drop()\n                return Ready(Right(right_value))\n",
            ),
        ),
        note="Select tells it finished by its winner's value: a winner of None is polled again",
    ),
    mutant(
        "join_none_sentinel",
        STAGE,
        hint="falsy_output",
        file=FILE,
        find="        self.left_out: Poll[A] = Pending\n        self.right_out: Poll[B] = Pending\n",
        replace="        self.left_out: Any = None  # None: not finished yet\n"
        "        self.right_out: Any = None\n",
        more=(
            Edit(
                FILE,
                "            if self.left_out is Pending:  # a finished child is never polled again\n"
                "                self.left_out = self.left.poll(cx)\n"
                "            if self.right_out is Pending:\n"
                "                self.right_out = self.right.poll(cx)\n",
                "            if self.left_out is None:\n"
                "                match self.left.poll(cx):\n"
                "                    case Ready(a):\n"
                "                        self.left_out = a\n"
                "            if self.right_out is None:\n"
                "                match self.right.poll(cx):\n"
                "                    case Ready(b):\n"
                "                        self.right_out = b\n",
            ),
            Edit(
                FILE,
                "        match (self.left_out, self.right_out):\n"
                "            case (Ready(a), Ready(b)):\n"
                "                self.done = True\n"
                "                return Ready((a, b))\n",
                "        if self.left_out is not None and self.right_out is not None:\n"
                "            self.done = True\n"
                "            return Ready((self.left_out, self.right_out))\n",
            ),
            Edit(
                FILE,
                "            if self.left_out is Pending:\n                self.left.drop()\n"
                "            if self.right_out is Pending:\n                self.right.drop()\n",
                "            if self.left_out is None:\n                self.left.drop()\n"
                "            if self.right_out is None:\n                self.right.drop()\n",
            ),
        ),
        note="Join keeps raw outputs with None for 'not finished': a child that returns None "
        "is polled again",
    ),
    mutant(
        "driver_stopiteration_args",
        STAGE,
        hint="falsy_output",
        file=FILE,
        find="                    return Ready(finished.value)\n",
        replace="                    return Ready(finished.args[0])  # IndexError for `return None`\n",
        note="the driver reads the return value from StopIteration.args: a body that returns "
        "None makes it raise IndexError",
    ),
    mutant(
        "driver_none_means_pending",
        STAGE,
        hint="falsy_output",
        file=FILE,
        find="                case Ready(value):\n                    self.awaiting = None",
        replace="                case Ready(value) if value is not None:\n"
        "                    self.awaiting = None",
        note="the driver takes an awaited future's Ready(None) for 'not finished' and polls it again",
    ),
]

# -- issue 10: drop paths (kinds 5 and 6)
MUTANTS += [
    mutant(
        "select_drop_missing",
        STAGE,
        hint="combinator_drop",
        file=FILE,
        find="        if not self.done:\n            self.done = True\n            self.left.drop()\n"
        "            self.right.drop()\n",
        replace="        self.done = True  # nothing to cancel: the children just are not polled\n",
        note="dropping a Select that has not finished drops neither side",
    ),
    mutant(
        "join_drop_missing",
        STAGE,
        hint="combinator_drop",
        file=FILE,
        find="            if self.left_out is Pending:\n                self.left.drop()\n"
        "            if self.right_out is Pending:\n                self.right.drop()\n",
        replace="            pass  # nothing to cancel: the children just are not polled\n",
        note="dropping a Join that has not finished drops no child",
    ),
    mutant(
        "select_drop_after_race",
        STAGE,
        hint="drop_twice",
        file=FILE,
        find="        if not self.done:\n            self.done = True\n            self.left.drop()\n"
        "            self.right.drop()\n",
        replace="        self.done = True\n        self.left.drop()\n        self.right.drop()\n",
        note="Select.drop() drops both sides even after the race: the loser twice, the winner once",
    ),
    mutant(
        "join_drop_finished_child",
        STAGE,
        hint="drop_twice",
        file=FILE,
        find="            if self.left_out is Pending:\n                self.left.drop()\n"
        "            if self.right_out is Pending:\n                self.right.drop()\n",
        replace="            self.left.drop()\n            self.right.drop()\n",
        note="Join.drop() drops both children, also one that has already finished",
    ),
    mutant(
        "join_drop_twice",
        STAGE,
        hint="drop_twice",
        file=FILE,
        find="        if not self.done:\n            self.done = True\n"
        "            if self.left_out is Pending:\n"
        "                self.left.drop()\n            if self.right_out is Pending:\n"
        "                self.right.drop()\n",
        replace="        self.done = True\n        if self.left_out is Pending:\n"
        "            self.left.drop()\n        if self.right_out is Pending:\n"
        "            self.right.drop()\n",
        note="Join.drop() has no guard: a second drop() drops the running children again",
    ),
    mutant(
        "state_machine_drop_twice",
        STAGE,
        hint="drop_twice",
        file=FILE,
        find="                orders_future.drop()\n        self.state = Done()\n",
        replace="                orders_future.drop()\n",
        note="UserAndOrders.drop() does not become Done: a second drop() drops the inner future again",
    ),
]

# -- issue 10: a child's exception comes out, and the future is over (kind 5)
_SELECT_EXCEPT = (
    "        except BaseException:\n"
    "            self.drop()  # a side panicked: the race is over, unwinding drops both sides\n"
    "            raise\n"
)
_JOIN_EXCEPT = (
    "        except BaseException:\n"
    "            self.drop()  # a child panicked: the join is over, unwinding drops the rest\n"
    "            raise\n"
)
MUTANTS += [
    mutant(
        "join_exception_to_none",
        STAGE,
        hint="exception_lost",
        file=FILE,
        find="            if self.left_out is Pending:  # a finished child is never polled again\n"
        "                self.left_out = self.left.poll(cx)\n",
        replace="            if self.left_out is Pending:  # a finished child is never polled again\n"
        "                try:\n"
        "                    self.left_out = self.left.poll(cx)\n"
        "                except Exception:\n"
        "                    self.left_out = Ready(None)  # a failed child finished with nothing\n",
        note="Join turns the left child's exception into Ready(None) (the issue's example)",
    ),
    mutant(
        "select_exception_as_pending",
        STAGE,
        hint="exception_lost",
        file=FILE,
        find=_SELECT_EXCEPT,
        replace="        except Exception:\n            return Pending  # a failing side is not ready\n",
        note="Select treats a side that raised as not ready yet",
    ),
    mutant(
        "state_machine_exception_swallowed",
        STAGE,
        hint="exception_lost",
        file=FILE,
        find=_TO_ORDERS,
        replace="                            try:\n"
        "                                self.state = AwaitingOrders(user, fetch_orders(user))\n"
        "                            except Exception:\n"
        "                                return Pending  # no orders (yet): try again later\n",
        note="UserAndOrders swallows an exception of fetch_orders(user) and returns Pending",
    ),
    mutant(
        "driver_catches_everything",
        STAGE,
        hint="exception_lost",
        file=FILE,
        find="                except StopIteration as finished:  # `return x` in the body\n"
        "                    self.done = True\n"
        "                    return Ready(finished.value)\n",
        replace="                except Exception as finished:  # `return x` in the body\n"
        "                    self.done = True\n"
        "                    return Ready(getattr(finished, 'value', None))\n",
        note="the driver catches every exception of the body as if it were its return",
    ),
    mutant(
        "select_exception_keeps_other",
        STAGE,
        hint="unwind_cleanup",
        file=FILE,
        find=_SELECT_EXCEPT,
        replace="        except BaseException:\n            raise\n",
        note="when a side raises, Select lets it out but never drops the other side",
    ),
    mutant(
        "join_exception_keeps_other",
        STAGE,
        hint="unwind_cleanup",
        file=FILE,
        find=_JOIN_EXCEPT,
        replace="        except BaseException:\n            raise\n",
        note="when a child raises, Join lets it out but never drops the other child",
    ),
    mutant(
        "state_machine_exception_not_done",
        STAGE,
        hint="unwind_cleanup",
        file=FILE,
        find="            self.state = Done()\n            raise\n",
        replace="            raise\n",
        note="UserAndOrders stays in its state after an exception: a later poll runs the body on",
    ),
    mutant(
        "driver_exception_leaves_body_suspended",
        STAGE,
        hint="unwind_cleanup",
        file=FILE,
        find="            self.drop()\n            raise\n",
        replace="            self.done = True\n            raise\n",
        note="the driver lets an awaited future's exception out but leaves the body suspended",
    ),
]

# -- cleanup written as `finally:`: it also runs when poll returns Pending
MUTANTS += [
    mutant(
        "select_finally_drop",
        STAGE,
        hint="ended_while_running",
        file=FILE,
        find=_SELECT_EXCEPT,
        replace="        finally:\n            if not self.done:\n                self.drop()  # unwinding\n",
        note="Select drops both sides in a `finally:`, so also after every Pending poll",
    ),
    mutant(
        "join_finally_drop",
        STAGE,
        hint="ended_while_running",
        file=FILE,
        find=_JOIN_EXCEPT,
        replace="        finally:\n            if self.left_out is Pending or self.right_out is Pending:\n"
        "                self.drop()  # unwinding\n",
        note="Join drops its running children in a `finally:`, so also after every Pending poll",
    ),
    mutant(
        "driver_finally_drop",
        STAGE,
        hint="ended_while_running",
        file=FILE,
        find="        except BaseException:\n"
        "            # A panic unwinds through the body: close the coroutine (its `finally:` blocks\n"
        "            # run) so nothing stays suspended, and be done.\n"
        "            self.drop()\n"
        "            raise\n",
        replace="        finally:\n            self.drop()  # the body must not stay suspended\n",
        note="the driver closes the coroutine in a `finally:`, so also after every Pending poll",
    ),
]

# -- a drop that cancels the awaited future by hand *and* closes the coroutine
MUTANTS += [
    mutant(
        "driver_drops_awaited_twice",
        STAGE,
        hint="drop_twice",
        file=FILE,
        find="            self.awaiting = None\n            self.coro.close()\n",
        replace="            if self.awaiting is not None:\n"
        "                self.awaiting.drop()  # cancel what the body awaits\n"
        "            self.awaiting = None\n            self.coro.close()\n",
        note="CoroutineDriver.drop() drops the awaited future and then closes the coroutine, "
        "whose `await` drops it a second time",
    ),
]

# -- Pin: a future that refers back to itself before its first poll cannot be moved
MUTANTS += [
    mutant(
        "bound_method_in_init",
        STAGE,
        hint="moved_before_first_poll",
        file=FILE,
        find="        self.state: State[U, V] = Start(fetch_user, fetch_orders)\n",
        replace="        self.state: State[U, V] = Start(fetch_user, fetch_orders)\n"
        "        self.resume = self._resume  # bound once, here\n",
        more=(
            Edit(
                FILE,
                "            return self._resume(cx)\n"
                "        except BaseException:\n"
                "            # Rust: a panic unwinds through `poll`",
                "            return self.resume(cx)\n"
                "        except BaseException:\n"
                "            # Rust: a panic unwinds through `poll`",
            ),
        ),
        note="UserAndOrders keeps a bound method of itself from __init__: moved before its "
        "first poll, it still runs the body on the old object",
    ),
    mutant(
        "closure_over_self_in_init",
        STAGE,
        hint="moved_before_first_poll",
        file=FILE,
        find="            return self._race(cx)\n",
        replace="            return self.race(cx)\n",
        more=(
            Edit(
                FILE,
                "        self.right = right\n        self.done = False\n\n"
                "    def poll(self, cx: Context) -> Poll[Left[A] | Right[B]]:\n",
                "        self.right = right\n        self.done = False\n"
                "        self.race = lambda cx: self._race(cx)  # closes over self\n\n"
                "    def poll(self, cx: Context) -> Poll[Left[A] | Right[B]]:\n",
            ),
        ),
        note="Select keeps a lambda over `self` from __init__: moved before its first poll, "
        "it still races the old object's sides and marks the old object done",
    ),
]
