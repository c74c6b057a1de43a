"""An `InlineTask` whose future may end with an expected exception (e.g. `SendError`).

When a woken future is polled inside `wake()` and its poll raises, the exception would
unwind into whoever called `wake()` (a `drop()`, a `send`), which is not what an executor
does: it ends that task with the error. `CatchingInlineTask(future, catch=(SendError,))`
keeps such an exception in `.error` and counts the task as done. Other exceptions still
propagate (they are the attendee's code raising).
"""

from __future__ import annotations

from typing import TypeVar

from kit.checking_waker import InlineTask
from stdtask import Future

T = TypeVar("T")


class CatchingInlineTask(InlineTask[T]):
    def __init__(
        self, future: Future[T], *, catch: tuple[type[BaseException], ...], name: str = "task"
    ) -> None:
        super().__init__(future, name=name)
        self.catch = catch
        self.error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.error is not None or super().done

    def _woken(self) -> None:
        if self._polling:
            self._woken_while_polling = True
        elif not self.done:
            try:
                self.poll()
            except self.catch as error:
                self.error = error
