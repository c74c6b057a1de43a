"""Ready built from the literal string, not from a call to greeting()."""

from stdtask import Poll, Ready


def greeting() -> str:
    """Return the string "Hello, Future!" (exactly that)."""
    return "Hello, Future!"


def first_poll() -> Poll[str]:
    """Return the greeting as a finished poll: `Ready(greeting())`."""
    return Ready("Hello, Future!")
