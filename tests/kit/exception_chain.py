"""Tell "the exception under test, wrapped or replaced" from an unrelated exception.

A test that checks "the task's (or the future's) exception comes out unchanged" must still
let an unrelated error of the attendee's code (a NameError, say) show as itself, under the
`your_code_raised` panel. `made_from(error, original)` says whether `error` is the symptom:
`original` itself, an exception raised while handling it (`raise X from e`, or inside
`except`), or one that repeats its message (`RuntimeError(f"failed: {e}")`).
"""

from __future__ import annotations


def made_from(error: BaseException, original: BaseException) -> bool:
    """Is `error` `original`, or made from it (chained to it, or naming its message)?"""
    seen: BaseException | None = error
    for _ in range(20):  # a chain is short; a cycle must not hang the test
        if seen is None:
            break
        if seen is original:
            return True
        seen = seen.__cause__ or seen.__context__
    return bool(str(original)) and str(original) in str(error)
