"""Stage 00: check that everything works, and make your first edit."""

from stdtask import Poll, Ready


def greeting() -> str:
    """Return the string "Hello, Future!" (exactly that)."""
    return "Hello, Future!"


def first_poll() -> Poll[str]:
    """Return the greeting as a finished poll: `Ready(greeting())`."""
    # Rust: `Poll::Ready(greeting())`; a finished future hands its value out in `Ready`.
    return Ready(greeting())
