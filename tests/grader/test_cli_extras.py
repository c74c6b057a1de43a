"""Small things of the command line: --version, `grade help`, `python -m grader`, misplaced
options, and the one-line refusal of a Python that is too old."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grader.paths import REPO_ROOT


def test_version_and_help(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("--version")
    assert run.code == 0 and run.stdout.startswith("grade "), run.output
    helped = grade("help")
    assert helped.code == 0 and "usage: grade" in helped.stdout
    assert helped.stdout == grade("--help").stdout


def test_python_dash_m_grader_is_grade(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run([sys.executable, "-m", "grader", "--version"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and done.stdout.startswith("grade "), done.stdout + done.stderr


@pytest.mark.parametrize(("words", "needs"), [(("list", "--html", "x.html"), "slides"),
                                               (("--html", "x.html"), "slides"),
                                               (("list", "--full"), "solution")])
def test_an_option_of_another_command_is_a_usage_error(grade, words, needs) -> None:  # type: ignore[no-untyped-def]
    run = grade(*words)
    assert run.code == 2, run.output
    assert f"goes with `{needs}`" in run.output and "Traceback" not in run.output


def test_an_old_python_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    source = (REPO_ROOT / "grader" / "__init__.py").read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "version_info", (3, 9, 6, "final", 0))
    with pytest.raises(SystemExit) as refused:
        exec(compile(source, "grader/__init__.py", "exec"), {"__name__": "grader_under_test"})
    message = str(refused.value.code)
    assert "needs Python 3.10 or newer" in message and "\n" not in message


def test_json_names_its_layout_version(grade) -> None:  # type: ignore[no-untyped-def]
    run = grade("0", "--json")
    assert run.json()["version"] == 1 and run.json()["target"] == "exercises"


def test_piped_output_has_no_trailing_padding(grade) -> None:  # type: ignore[no-untyped-def]
    for words in (("list",), ("0",), ("slides", "1")):
        run = grade(*words, env={"COLUMNS": "100"})
        padded = [line for line in run.stdout.splitlines() if line != line.rstrip(" ")]
        assert not padded, f"grade {' '.join(words)}: {padded[:3]}"


def test_the_slides_export_survives_a_cp1252_pipe(grade, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = grade("slides", "--html", str(tmp_path / "x.html"), env={"PYTHONIOENCODING": "cp1252"})
    assert run.code == 0 and "Traceback" not in run.output, run.output
    assert (tmp_path / "x.html").stat().st_size > 100_000
