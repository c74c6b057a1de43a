"""Source texts shared by the grader's tests."""

GOOD_SETUP = '''from stdtask import Poll, Ready


def greeting() -> str:
    return "Hello, Future!"


def first_poll() -> Poll[str]:
    return Ready(greeting())
'''
