"""The `grade` command: discover stages -> run hidden tests in a child process -> classify -> render."""
