"""The rubric: strict TOML, points per task, partial credit for order-only and named pitfalls."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqldrills.catalog.challenges import get
from sqldrills.takehome import TakehomeError
from sqldrills.takehome.records import AnswerRecord, Outcome
from sqldrills.takehome.rubric import describe, load_rubric

DRILLS = {"task_1": get("members_not_devices"), "task_2": get("duplicate_events")}


def misleading(task: str, pitfall: str | None = None, order_only: bool = False) -> AnswerRecord:
    return AnswerRecord("ada", task, "0f", Outcome.MISLEADING, pitfall=pitfall,
                        order_only=order_only)


def test_points_and_credit_per_task_and_pitfall(tmp_path: Path) -> None:
    trap = get("duplicate_events").traps[0].id
    path = tmp_path / "rubric.toml"
    # A task is named by its drill's id or by the neutral id candidates saw.
    path.write_text(f"points = 5\n[credit]\norder_only = 0.2\n[tasks.members_not_devices]\n"
                    f"points = 20\n[tasks.task_2.pitfalls]\n{trap} = 0.25\n")
    rubric = load_rubric(path, DRILLS)
    assert rubric.max_points("task_1") == 20 and rubric.max_points("x") == 5
    assert rubric.award(misleading("task_2", trap)) == 1.25
    assert rubric.award(misleading("task_1", order_only=True)) == 4.0
    assert rubric.award(AnswerRecord("ada", "task_2", "0f", Outcome.NOT_ATTEMPTED)) == 0.0


def test_the_rubric_in_words_for_candidates(tmp_path: Path) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text("[credit]\nnot_attempted = 0\nerror = 0.1\n[tasks.task_1]\npoints = 20\n")
    words = describe(load_rubric(path, DRILLS), list(DRILLS))
    assert words.startswith("Tasks 1, 2 are worth 20, 10 points (30 in all)")
    assert "10% when error" in words and "0% when misleading, invalid or not attempted" in words
    path.write_text("[credit]\nskipped = 0\n")
    with pytest.raises(TakehomeError, match="now `not_attempted`"):
        load_rubric(path, DRILLS)


@pytest.mark.parametrize(("toml", "message"), [
    ("[credit]\nmisleding = 0.5\n", "[credit]: unknown key(s) misleding (known: correct, error, "
                                     "invalid, misleading, not_attempted, order_only)"),
    ("point = 3\n", "unknown key(s) point (known: credit, points, tasks)"),
    ("[tasks.members_not_devices]\npoint = 3\n", "[tasks.members_not_devices]: unknown key(s) point"),
    ("[tasks.nope]\npoints = 3\n", "[tasks.nope] is not a task of this take-home"),
    ("[tasks.duplicate_events.pitfalls]\nnope = 0.5\n", "duplicate_events has no pitfall 'nope'"),
    ("[tasks.task_9]\npoints = 3\n", "(task_1 (members_not_devices), task_2 (duplicate_events))"),
    ("[credit]\ncorrect = 2\n", "credit.correct: must be a number from 0 to 1"),
])
def test_mistakes_in_a_rubric_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(toml)
    with pytest.raises(TakehomeError) as caught:
        load_rubric(path, DRILLS)
    assert message in str(caught.value)
