"""The rubric: points per task and the share of them each outcome earns.

Applied when the reports are written, never stored with a grading: a changed rubric needs
no regrade.

>>> from sqldrills.takehome.records import AnswerRecord, Outcome
>>> load_rubric(None, ["a"]).award(AnswerRecord("ada", "a", "0f", Outcome.MISLEADING,
...                                             order_only=True))
5.0
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqldrills.strictkeys import check_keys
from sqldrills.takehome import TakehomeError, Unreadable, read_user_file
from sqldrills.takehome.manifest import catalog_challenge
from sqldrills.takehome.records import AnswerRecord, Outcome

ORDER_ONLY = "order_only"  # a misleading answer whose rows are right but out of order

_RUBRIC_KEYS = {"points", "credit", "tasks"}
_TASK_KEYS = {"points", "pitfalls"}
_CREDIT_KEYS = {*Outcome, ORDER_ONLY}

MAX_RUBRIC_BYTES = 1_000_000


def _default_credit() -> dict[str, float]:
    return {Outcome.CORRECT: 1.0, ORDER_ONLY: 0.5, Outcome.MISLEADING: 0.0,
            Outcome.INVALID: 0.0, Outcome.ERROR: 0.0, Outcome.SKIPPED: 0.0}


@dataclass(frozen=True)
class Rubric:
    """Points per task and the share of them each outcome earns.

    ``credit`` maps an outcome (``correct``, ``order_only``, ``misleading``, ``invalid``,
    ``error``, ``skipped``) to a fraction of the task's points; ``pitfall_credit`` maps
    ``(task, pitfall)`` to a fraction that replaces ``misleading``'s.
    """

    default_points: float = 10.0
    points: dict[str, float] = field(default_factory=dict)
    credit: dict[str, float] = field(default_factory=_default_credit)
    pitfall_credit: dict[tuple[str, str], float] = field(default_factory=dict)

    def max_points(self, task: str) -> float:
        return self.points.get(task, self.default_points)

    def award(self, record: AnswerRecord) -> float:
        share = self.credit[record.verdict]
        if record.verdict == Outcome.MISLEADING:
            if record.order_only:
                share = self.credit[ORDER_ONLY]
            share = self.pitfall_credit.get((record.task, record.pitfall or ""), share)
        return round(share * self.max_points(record.task), 4)


def _fraction(value: Any, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise TakehomeError(f"{where}: must be a number from 0 to 1")
    return float(value)


def _points(value: Any, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise TakehomeError(f"{where}: must be a number of points >= 0")
    return float(value)


def load_rubric(path: Path | None, tasks: list[str]) -> Rubric:
    """The rubric in ``path`` (TOML, validated strictly), or the default one."""
    if path is None:
        return Rubric()
    try:
        raw = read_user_file(path, MAX_RUBRIC_BYTES)
        data = tomllib.loads(raw.decode("utf-8"))
    except (Unreadable, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TakehomeError(f"cannot read the rubric {path}: {exc}") from None
    where = str(path)
    check_keys(data, optional=_RUBRIC_KEYS, where=where, error=TakehomeError)
    default = Rubric()
    credit = dict(default.credit)
    check_keys(data.get("credit", {}), optional=_CREDIT_KEYS, where=f"{where} [credit]",
               error=TakehomeError)
    for key, value in data.get("credit", {}).items():
        credit[key] = _fraction(value, f"{where} credit.{key}")
    points, pitfall_credit = {}, {}
    for task, spec in data.get("tasks", {}).items():
        if task not in tasks:
            raise TakehomeError(f"{where}: [tasks.{task}] is not a task of this take-home "
                                f"({', '.join(tasks)})")
        check_keys(spec, optional=_TASK_KEYS, where=f"{where} [tasks.{task}]",
                   error=TakehomeError)
        if "points" in spec:
            points[task] = _points(spec["points"], f"{where} tasks.{task}.points")
        challenge = catalog_challenge(task)
        for pitfall, value in spec.get("pitfalls", {}).items():
            if challenge.trap(pitfall) is None:
                raise TakehomeError(f"{where}: {task} has no pitfall {pitfall!r} "
                                    f"({', '.join(t.id for t in challenge.traps)})")
            pitfall_credit[(task, pitfall)] = _fraction(
                value, f"{where} tasks.{task}.pitfalls.{pitfall}")
    default_points = _points(data.get("points", default.default_points), f"{where} points")
    return Rubric(default_points, points, credit, pitfall_credit)
