"""Stage 00 mistakes, each a minimal edit of solutions/00_setup/setup.py."""

from grader.mutants import mutant

STAGE = "00_setup"
FILE = "setup.py"

MUTANTS = [
    mutant(
        "wrong_greeting",
        STAGE,
        hint="first_edit",
        file=FILE,
        find='    return "Hello, Future!"\n',
        replace='    return "Hello Future"\n',
        note="greeting() returns a slightly different string",
    ),
    mutant(
        "bare_value",
        STAGE,
        hint="first_poll",
        file=FILE,
        find="    return Ready(greeting())\n",
        replace="    return greeting()\n",
        note="first_poll() returns the bare greeting, not a Poll",
    ),
    mutant(
        "missing_import",
        STAGE,
        hint="your_code_raised",
        file=FILE,
        find="from stdtask import Poll, Ready\n",
        replace="from stdtask import Poll\n",
        note="Ready is used but never imported (NameError inside first_poll)",
    ),
    mutant(
        "misspelt_call",
        STAGE,
        hint="your_code_raised",
        file=FILE,
        find="    return Ready(greeting())\n",
        replace="    return Ready(greetings())\n",
        note="first_poll() calls a function that does not exist (NameError)",
    ),
]
