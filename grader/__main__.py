"""`python -m grader`: the same as the `grade` command (for when the script is not on PATH)."""

from grader.cli import main

raise SystemExit(main())
