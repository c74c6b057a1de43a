"""Stage 00: check that everything works, and make your first edit.

Replace each `todo()` below with what its docstring asks, save, and run `grade` again.
"""

from stdtask import Poll, todo


def greeting() -> str:
    """Return the string "Hello, Future!" (exactly that)."""
    todo("return the greeting")


def first_poll() -> Poll[str]:
    """Return the greeting as a finished poll: `Ready(greeting())`.

    `Ready` comes from `stdtask`, like `Poll::Ready` comes from `std::task` in Rust;
    import it next to `Poll` at the top of this file.
    """
    todo("wrap the greeting in Ready")
