"""The rubric: points per task and the share of them each outcome earns.

Applied when the reports are written, never stored with a grading: a changed rubric needs
no regrade.

>>> from sqldrills.takehome.records import AnswerRecord, Outcome
>>> load_rubric(None, {}).award(AnswerRecord("ada", "task_1", "0f", Outcome.MISLEADING,
...                                          order_only=True))
5.0
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqldrills.catalog.challenges import Challenge
from sqldrills.strictkeys import check_keys
from sqldrills.takehome import TakehomeError, Unreadable, read_user_file
from sqldrills.takehome.records import AnswerRecord, Outcome

ORDER_ONLY = "order_only"  # a misleading answer whose rows are right but out of order

_RUBRIC_KEYS = {"points", "credit", "tasks"}
_TASK_KEYS = {"points", "pitfalls"}
_CREDIT_KEYS = {*Outcome, ORDER_ONLY}

MAX_RUBRIC_BYTES = 1_000_000


def _default_credit() -> dict[str, float]:
    return {Outcome.CORRECT: 1.0, ORDER_ONLY: 0.5, Outcome.MISLEADING: 0.0,
            Outcome.INVALID: 0.0, Outcome.ERROR: 0.0, Outcome.NOT_ATTEMPTED: 0.0}


@dataclass(frozen=True)
class Rubric:
    """Points per task and the share of them each outcome earns.

    ``credit`` maps an outcome (``correct``, ``order_only``, ``misleading``, ``invalid``,
    ``error``, ``not_attempted``) to a fraction of the task's points; ``pitfall_credit``
    maps ``(task, pitfall)`` to a fraction that replaces ``misleading``'s.
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


def describe(rubric: Rubric, tasks: list[str]) -> str:
    """The rubric in words, for the bundle README: candidates know the rules.

    >>> print(describe(Rubric(), ["task_1", "task_2"]))
    Each task is worth 10 points (20 in all). An answer earns this share of them: 100% when \
correct; 50% when only the row order is wrong; 0% when misleading, invalid, error or not attempted.
    """
    total = sum(rubric.max_points(task) for task in tasks)
    points = [rubric.max_points(task) for task in tasks]
    worth = (f"Each task is worth {points[0]:g} points" if len(set(points)) == 1 else
             f"Tasks {', '.join(str(i) for i in range(1, len(tasks) + 1))} are worth "
             f"{', '.join(f'{p:g}' for p in points)} points")
    cases = [(Outcome.CORRECT, "correct"), (ORDER_ONLY, "only the row order is wrong"),
             *((o, o.shown) for o in Outcome if o != Outcome.CORRECT)]
    groups: dict[float, list[str]] = {}
    for outcome, words in cases:
        groups.setdefault(rubric.credit[outcome], []).append(words)
    shares = [f"{share:.0%} when " + (what[0] if len(what) == 1 else
                                       f"{', '.join(what[:-1])} or {what[-1]}")
              for share, what in groups.items()]
    extra = " Some recognised mistakes earn partial credit." if rubric.pitfall_credit else ""
    return (f"{worth} ({total:g} in all). An answer earns this share of them: "
            f"{'; '.join(shares)}.{extra}")


def load_rubric(path: Path | None, drills: dict[str, Challenge]) -> Rubric:
    """The rubric in ``path`` (TOML, validated strictly), or the default one.

    ``drills`` maps each task id (``task_1``) to its drill; a ``[tasks.X]`` table names a
    task by its id or by its drill's id.
    """
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
    if "skipped" in data.get("credit", {}):
        raise TakehomeError(f"{where} [credit]: `skipped` is now `not_attempted` (no file or "
                            "the stub untouched); rename the key")
    check_keys(data.get("credit", {}), optional=_CREDIT_KEYS, where=f"{where} [credit]",
               error=TakehomeError)
    for key, value in data.get("credit", {}).items():
        credit[key] = _fraction(value, f"{where} credit.{key}")
    points, pitfall_credit = {}, {}
    by_name = {**{c.id: t for t, c in drills.items()}, **{t: t for t in drills}}
    for name, spec in data.get("tasks", {}).items():
        task = by_name.get(name)
        if task is None:
            raise TakehomeError(f"{where}: [tasks.{name}] is not a task of this take-home "
                                f"({', '.join(f'{t} ({c.id})' for t, c in drills.items())})")
        check_keys(spec, optional=_TASK_KEYS, where=f"{where} [tasks.{name}]",
                   error=TakehomeError)
        if "points" in spec:
            points[task] = _points(spec["points"], f"{where} tasks.{name}.points")
        challenge = drills[task]
        for pitfall, value in spec.get("pitfalls", {}).items():
            if challenge.trap(pitfall) is None:
                raise TakehomeError(f"{where}: {name} has no pitfall {pitfall!r} "
                                    f"({', '.join(t.id for t in challenge.traps)})")
            pitfall_credit[(task, pitfall)] = _fraction(
                value, f"{where} tasks.{name}.pitfalls.{pitfall}")
    default_points = _points(data.get("points", default.default_points), f"{where} points")
    return Rubric(default_points, points, credit, pitfall_credit)
