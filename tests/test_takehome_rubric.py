"""The rubric: strict TOML, points per task, partial credit for order-only and named pitfalls."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqldrills.catalog.challenges import get
from sqldrills.takehome import TakehomeError
from sqldrills.takehome.records import AnswerRecord, Outcome
from sqldrills.takehome.rubric import load_rubric

TASKS = ["members_not_devices", "duplicate_events"]


def misleading(task: str, pitfall: str | None = None, order_only: bool = False) -> AnswerRecord:
    return AnswerRecord("ada", task, "0f", Outcome.MISLEADING, pitfall=pitfall,
                        order_only=order_only)


def test_points_and_credit_per_task_and_pitfall(tmp_path: Path) -> None:
    trap = get("duplicate_events").traps[0].id
    path = tmp_path / "rubric.toml"
    path.write_text(f"points = 5\n[credit]\norder_only = 0.2\n[tasks.members_not_devices]\n"
                    f"points = 20\n[tasks.duplicate_events.pitfalls]\n{trap} = 0.25\n")
    rubric = load_rubric(path, TASKS)
    assert rubric.max_points("members_not_devices") == 20 and rubric.max_points("x") == 5
    assert rubric.award(misleading("duplicate_events", trap)) == 1.25
    assert rubric.award(misleading("members_not_devices", order_only=True)) == 4.0
    assert rubric.award(AnswerRecord("ada", "duplicate_events", "0f", Outcome.SKIPPED)) == 0.0


@pytest.mark.parametrize(("toml", "message"), [
    ("[credit]\nmisleding = 0.5\n", "[credit]: unknown key(s) misleding (known: correct, error, "
                                     "invalid, misleading, order_only, skipped)"),
    ("point = 3\n", "unknown key(s) point (known: credit, points, tasks)"),
    ("[tasks.members_not_devices]\npoint = 3\n", "[tasks.members_not_devices]: unknown key(s) point"),
    ("[tasks.nope]\npoints = 3\n", "[tasks.nope] is not a task of this take-home"),
    ("[tasks.duplicate_events.pitfalls]\nnope = 0.5\n", "duplicate_events has no pitfall 'nope'"),
    ("[credit]\ncorrect = 2\n", "credit.correct: must be a number from 0 to 1"),
])
def test_mistakes_in_a_rubric_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(toml)
    with pytest.raises(TakehomeError) as caught:
        load_rubric(path, TASKS)
    assert message in str(caught.value)
