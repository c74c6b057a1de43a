from grader.model import Hint, Stage

STAGE = Stage(
    id="00_setup",
    title="Setup: the toolchain works",
    minutes=10,
    files=("setup.py",),
    goal="Check your Python and packages, then make one edit and watch `grade` go from red to green.",
    hints=(
        Hint(
            id="python_version",
            title="Python is too old",
            symptom="The tests ran on a Python older than 3.10.",
            why="The exercises use `match` statements and `X | Y` type unions, which need "
            "Python 3.10 or newer.",
            check="Run `python --version` inside the environment you installed into. Create the "
            "environment again with a newer Python (README, step 1).",
            pointer="The version in the message is the Python that `grade` itself runs on. "
            "Open `.venv/pyvenv.cfg`: its `version` line says which `python3` built that "
            "environment (on macOS, the Xcode `python3` is 3.9), and `which grade` (Windows: "
            "`where grade`) says whether you are even using that `.venv`.",
            rust="Like a crate whose `rust-version` is newer than your `rustc`.",
            slide="Your toolchain",
        ),
        Hint(
            id="packages",
            title="A package is missing",
            symptom="One of the packages the grader needs could not be imported.",
            why="`grade` runs hidden tests with pytest and hypothesis and draws with rich; they "
            "are installed together with this project.",
            check="Activate the environment from the README and run `pip install -e .` in the "
            "repository folder again.",
            pointer="The failing test's name ends with the package that could not be imported, "
            "in brackets. Compare `which python` and `which grade` (Windows: `where`): both "
            "should point into the same `.venv`; a `grade` from another environment sees none "
            "of the packages installed into this one.",
            rust="Like a dependency missing from `Cargo.toml`.",
            slide="Your toolchain",
        ),
        Hint(
            id="first_edit",
            title="Make your first edit",
            symptom="`greeting()` in exercises/00_setup/setup.py does not return the greeting yet.",
            why="Every stage works the same way: you edit a file in `exercises/`, save, and run "
            "`grade`. This first edit shows you a red run turning green.",
            check="Open exercises/00_setup/setup.py, read the docstring of `greeting`, and "
            "replace the `todo()` call with the `return` it describes.",
            pointer="The body of `greeting()` in exercises/00_setup/setup.py, the line under "
            "its docstring. Compare what the message says it returned with the string in the "
            "docstring, character by character (capitals, comma, exclamation mark); `None` "
            "means the function ended without handing anything back.",
            rust="Replacing a `todo!()` with the real body.",
            slide="Your first red, your first green",
        ),
        Hint(
            id="first_poll",
            title="Return a Poll, not a bare value",
            symptom="`first_poll()` did not return `Ready(...)` holding the greeting.",
            why="Futures answer every poll with a `Poll`: `Ready(value)` when done, `Pending` "
            "when not. A bare value is not a Poll.",
            check="Read the docstring of `first_poll` and wrap the value the way it says.",
            pointer="Two places in exercises/00_setup/setup.py: the `from stdtask import ...` "
            "line at the top (which names does it bring in?) and the body of `first_poll()`. "
            "Does that body reuse `greeting()`, or retype the string?",
            rust="`Poll::Ready(value)` versus `value`: Rust's type checker would refuse the latter.",
            slide="Your first red, your first green",
        ),
    ),
)
