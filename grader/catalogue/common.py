"""Hints every stage shares: the ways a run fails before any test can say something specific."""

from grader.model import Hint

COMMON_HINTS: tuple[Hint, ...] = (
    Hint(
        id="not_started",
        title="Not started yet",
        symptom="A test reached a `todo()` in your file: that part is still the stub.",
        why="Each stub marks the work left with `todo()`, like Rust's `todo!()`. The grader "
        "stops at the first one so you can work one method at a time.",
        check="Open the file and line shown above, read the docstring of that method, and "
        "replace the `todo()` call with your implementation.",
        rust='`todo!()` panics with "not yet implemented"; here `todo()` raises TodoError.',
        slide="How this workshop works",
        pointer="The method holding that `todo()` is not always the one the test called: it may "
                "be reached through another one (a constructor, a helper). The module docstring "
                "at the top of the file gives the rules they all share.",
    ),
    Hint(
        id="load_error",
        title="Your file does not load",
        symptom="Python could not import your file, so no test could run.",
        why="The grader imports your module before testing it; a syntax error, a bad import or "
        "code that fails at import time stops everything in that file.",
        check="Look at the file and line shown above. Run `python <file>` yourself to see the "
        "same error, fix it, and save.",
        rust="The same as a `cargo build` error: nothing runs until the crate compiles.",
        slide="How this workshop works",
        pointer="For a syntax error, the caret under the code marks the column where Python "
                "gave up. If that line looks right, the mistake is often just before it (a "
                "bracket or quote left open), or in an import at the top of the file that names "
                "something that does not exist.",
    ),
    Hint(
        id="hang",
        title="A test did not finish",
        symptom="A test was stopped because it ran past its time limit.",
        why="Tests here are instant: they use scripted futures and virtual clocks. A test that "
        "runs for seconds is stuck: a loop that never ends, or a task nobody wakes.",
        check="Look at the line where your code was when it was stopped (shown above). Is there "
        "a `while` loop whose condition can never change, or a wait nothing will end?",
        rust="In Rust the same bug is a task that never completes or a thread spinning at 100% CPU.",
        slide="How this workshop works",
        pointer="The function named beside that line is the method that was running when the "
                "test was stopped. If it is a `poll`, ask which wake the test was waiting for, "
                "and whether the code that should send it ever runs.",
    ),
    Hint(
        id="your_code_raised",
        title="Your code raised an exception",
        symptom="Your code raised an exception the test did not expect, at the line shown.",
        why="An exception that escapes `poll` unwinds through everything that polled it, like "
        "a Rust panic: the test never got to check what it was about to check.",
        check="Read the exception's type and message, then the line: a typo, a missing import, "
        "an attribute that does not exist yet, or a value of the wrong type?",
        rust="Like a panic (`unwrap()` on `None`, an index out of bounds) inside `poll`.",
        slide="How this workshop works",
        pointer="The line shown raised, but the bad value often comes from where it was set: "
                "earlier in the method named beside it, or in that class's `__init__`. Print "
                "the value just before the line to see what it really is.",
    ),
    Hint(
        id="context_outlived_poll",
        title="A Context kept after its poll",
        symptom="Your code used a `Context` after the poll it was passed to had returned.",
        why="A `Context` is lent to one call of `poll`. The waker inside it is what lives on: "
        "a future that stores the context instead reads, later, a waker that belongs to "
        "nobody (or to whichever task the executor lends the context to next).",
        check="Search your file for where a `cx` is stored on `self` or captured by a closure. "
        "What should be kept from it, so that it still works after `poll` returns?",
        rust="`self.cx = cx` does not compile: `Context<'_>` is borrowed for one poll. "
        "`cx.waker().clone()` gives an owned `Waker` that may be kept.",
        slide="Context lives for one poll",
        pointer="Besides the `poll` methods, look at helpers and constructors you pass `cx` to: "
                "a `cx` handed to another object lives as long as that object does, long after "
                "the poll returns.",
    ),
    Hint(
        id="crash",
        title="The test process died",
        symptom="The Python process running the tests exited in the middle of a test.",
        why="Something in the code under test ended the interpreter (`os._exit`, `sys.exit`, a "
        "crash in C code, or running out of memory), so that test could not report.",
        check="Look for `exit(` or `os._exit(` in your file, and for anything that could allocate "
        "without bound.",
        rust="Like `std::process::exit` or an abort in the middle of `cargo test`.",
        slide="How this workshop works",
        pointer="The failing test's name says what it was doing when the process ended: start "
                "from the methods of yours that it calls. Look at loops that append to a list, "
                "deque or string on every turn with a condition that never becomes false: "
                "memory fills until the system kills the process.",
    ),
    Hint(
        id="missing_file",
        title="The exercise file is missing",
        symptom="The file this stage tests does not exist.",
        why="The grader tests the files in `exercises/<stage>/`; it cannot grade a file that "
        "was moved, renamed or deleted.",
        check="Restore it with `grade reset <stage>` (it asks first and keeps a backup), or put "
        "your file back under the name shown above.",
        rust="Like a `mod` declaration whose file is missing.",
        slide="How this workshop works",
        pointer="Look in the folder `exercises/<stage>/` for a near-miss name: a capital "
                "letter, a `.bak` or `copy` suffix, or the file saved one folder up.",
    ),
    Hint(
        id="thread_left",
        title="A thread was left running",
        symptom="When the tests were over, a thread your code started was still running.",
        why="A Python program waits for every non-daemon thread before it exits, so a thread "
        "nobody stops or joins keeps the whole program alive after its work is done.",
        check="Look at the line shown above, where the thread was started. Who ends that thread, "
        "and who waits for it (`join`) once its work is done?",
        rust="Like a `std::thread::spawn` whose `JoinHandle` is dropped while the thread loops "
        "forever: `main` would never get to return cleanly.",
        slide="How this workshop works",
        pointer="Look at the loop the thread runs: what ends it (a flag, a sentinel value, a "
                "closed queue), and does the code that finishes the work (a `close`, a `drop`, "
                "the end of a `with`) ever make that happen?",
    ),
    Hint(
        id="untrusted",
        title="The results could not be trusted",
        symptom="The grader found that this run's results were not produced by the hidden tests "
        "alone.",
        why="A stage passes only when every hidden test ran your own code and reported back. Code "
        "that changes how tests run, writes results, or uses the reference solution makes a "
        "pass meaningless, so the grader refuses it.",
        check="Remove from your file anything that touches pytest, the grader, its results, or "
        "the `solutions/` folder, then run `grade` again.",
        rust="Like a test that always passes because it was marked `#[ignore]`: green, but it "
        "proves nothing.",
        slide="How this workshop works",
        pointer="Start with the `import` lines at the top of your file and with any code that "
                "runs at import time, opens files or changes `sys`, `os` or builtins: those are "
                "the places the grader checks.",
    ),
)
