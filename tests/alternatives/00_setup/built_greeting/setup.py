"""The greeting assembled from parts, and the poll built in two steps."""

from stdtask import Poll, Ready

GREETING_PARTS = ("Hello", "Future!")


def greeting() -> str:
    """Return the string "Hello, Future!" (exactly that)."""
    return ", ".join(GREETING_PARTS)


def first_poll() -> Poll[str]:
    """Return the greeting as a finished poll: `Ready(greeting())`."""
    value = greeting()
    poll: Poll[str] = Ready(value)
    return poll
