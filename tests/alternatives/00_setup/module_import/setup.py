"""The core imported as a module, and the `stdtask.Poll.Ready` spelling."""

import stdtask


def greeting() -> str:
    """Return the string "Hello, Future!" (exactly that)."""
    text: str = "Hello, Future!"
    return text


def first_poll() -> stdtask.Poll[str]:
    """Return the greeting as a finished poll: `Ready(greeting())`."""
    return stdtask.Poll.Ready(greeting())
