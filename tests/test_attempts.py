"""Progress as a learner reads it (`sqldrills progress`, `list`): what counts as an attempt,
and how each drill was solved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sqldrills.catalog.challenges import get
from sqldrills.cli import attempts
from sqldrills.cli.commands import main

DRILL = "members_not_devices"


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def progress_row(drill: str = DRILL) -> dict:
    return next(r for r in json.loads(invoke("progress", "--json").output) if r["id"] == drill)


@pytest.fixture(autouse=True)
def fresh_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLDRILLS_DATA_DIR", str(tmp_path / "data"))


def solve(drill: str = DRILL) -> None:
    assert invoke("check", drill, "-", input=get(drill).reference).exit_code == 0


def test_solved_unaided() -> None:
    solve()
    row = progress_row()
    assert (row["status"], row["solved"], row["attempts"]) == ("solved", "unaided", 1)


def test_solved_with_clarifications() -> None:
    attempts.next_clarification(DRILL, 2)
    solve()
    assert progress_row()["solved"] == "with clarifications"


def test_solved_with_hints_is_shown_in_list_too() -> None:
    invoke("hint", DRILL)
    solve()
    assert progress_row()["solved"] == "with hints"
    listed = {r["id"]: r["status"] for r in json.loads(invoke("list", "--json").output)}
    assert listed[DRILL] == "solved, with hints"


def test_solved_after_the_solution_and_later_help_does_not_change_it() -> None:
    invoke("solution", DRILL, "--force")
    solve()
    invoke("hint", DRILL)
    assert progress_row()["solved"] == "after the solution"


def test_refused_queries_and_the_starter_file_are_not_attempts(tmp_path: Path) -> None:
    assert invoke("check", DRILL, "-", input="DELETE FROM events").exit_code == 1
    assert invoke("check", DRILL, "-", input="SELEC day FROM").exit_code == 1
    ran = invoke("run", DRILL, "--answers-dir", str(tmp_path / "answers"))
    assert ran.exit_code == 1 and "Write your query in" in ran.output
    assert "Parser Error" not in ran.output
    row = progress_row()
    assert (row["status"], row["attempts"]) == ("new", 0)


def test_a_solved_drill_whose_last_try_failed_says_so() -> None:
    solve()
    assert invoke("check", DRILL, "-", input="SELECT nosuch FROM events").exit_code == 1
    row = progress_row()
    assert row["status"] == "solved (last try: error)" and row["last verdict"] == "error"
    assert row["attempts"] == 2


def test_no_more_hints_past_the_last() -> None:
    n = len(get(DRILL).hints)
    outputs = [invoke("hint", DRILL).output for _ in range(n + 1)]
    assert outputs[n - 1].startswith(f"Hint {n}/{n}")
    assert "No more hints" in outputs[n] and not outputs[n].startswith("Hint")
