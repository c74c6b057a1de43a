"""The `grade` command: discover stages -> run hidden tests in a child process -> classify -> render."""

import sys

# The workshop needs `match` (3.10). pip refuses to install on an older Python
# (requires-python), but a `grade` reached some other way says so in one line.
if sys.version_info < (3, 10):  # noqa: UP036 - the point: say so on 3.9 and older
    raise SystemExit(
        f"grade needs Python 3.10 or newer; this is Python {sys.version.split()[0]} "
        f"({sys.executable}). Install a newer Python (python.org, or `brew install python@3.12`), "
        "then create the venv again with it, as the README's Quick start says."
    )
