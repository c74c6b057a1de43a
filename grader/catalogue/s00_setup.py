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
            rust="`Poll::Ready(value)` versus `value`: Rust's type checker would refuse the latter.",
            slide="Your first red, your first green",
        ),
    ),
)
