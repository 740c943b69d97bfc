"""What grading one take-home answer produced, and the integrity flags raised on a cohort.

``to_json()`` gives the form that ``results.jsonl`` (read back by ``--resume``),
``results.json`` and the Gradescope output hold: its keys are a public format. Cells of
query results (a counterexample's) are already JSON values here: the grader passes them
through ``sqldrills.grading.values.to_json`` in the worker, so a fresh record and one read
back from the log read the same.

>>> record = AnswerRecord("ada", "t", "0f", Outcome.NOT_ATTEMPTED, reason="no answer")
>>> AnswerRecord.from_json(record.to_json()) == record, str(record.to_json()["verdict"])
(True, 'not_attempted')
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from sqldrills.grading.results import Verdict, WorldStatus


class Outcome(StrEnum):
    """What became of one answer: the grader's verdict, or ``not_attempted`` (shown "not
    attempted") when the candidate wrote none: no file, or the stub untouched (only
    comments and whitespace). Something handed in that cannot be read or run is ``error``."""

    CORRECT = Verdict.CORRECT.value
    MISLEADING = Verdict.MISLEADING.value
    INVALID = Verdict.INVALID.value
    ERROR = Verdict.ERROR.value
    NOT_ATTEMPTED = "not_attempted"

    @property
    def shown(self) -> str:
        """The outcome as people read it: ``not attempted``, ``correct``, ..."""
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class WorldSummary:
    """How an answer fared on one hidden world."""

    world: str
    status: WorldStatus
    summary: str

    def to_json(self) -> dict[str, Any]:
        return {"world": self.world, "status": self.status, "summary": self.summary}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorldSummary:
        return cls(data["world"], WorldStatus(data["status"]), data["summary"])


@dataclass(frozen=True)
class RowDifference:
    """One group of rows that differs, named by its key columns; ``None`` is a missing row."""

    key: dict[str, Any]
    expected: dict[str, Any] | None
    yours: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "expected": self.expected, "yours": self.yours}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RowDifference:
        return cls(data["key"], data["expected"], data["yours"])


@dataclass(frozen=True)
class Counterexample:
    """The first hidden world on which a misleading answer differs, and how."""

    world: str
    description: str
    diffs: list[RowDifference]

    def to_json(self) -> dict[str, Any]:
        return {"world": self.world, "description": self.description,
                "diffs": [diff.to_json() for diff in self.diffs]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Counterexample:
        return cls(data["world"], data["description"],
                   [RowDifference.from_json(diff) for diff in data["diffs"]])


@dataclass(frozen=True)
class AnswerRecord:
    """The outcome of one candidate's answer to one task, without points."""

    candidate: str
    task: str
    answer_sha: str  # with candidate and task, what --resume looks up
    verdict: Outcome
    reason: str | None = None  # why there was nothing to grade
    pitfall: str | None = None
    pitfall_name: str | None = None
    message: str = ""
    order_only: bool = False
    elapsed_ms: float = 0.0
    worlds: list[WorldSummary] = field(default_factory=list)
    counterexample: Counterexample | None = None
    warnings: list[str] = field(default_factory=list)
    own_world: WorldStatus | None = None  # checked only for unexplained misleading answers
    answer: str | None = None  # the start of the answer, for the reports
    columns: list[str] | None = None  # the task's output columns; only on graded answers

    def to_json(self) -> dict[str, Any]:
        data = {
            "candidate": self.candidate, "task": self.task, "answer_sha": self.answer_sha,
            "verdict": self.verdict, "reason": self.reason, "pitfall": self.pitfall,
            "pitfall_name": self.pitfall_name, "message": self.message,
            "order_only": self.order_only, "elapsed_ms": self.elapsed_ms,
            "worlds": [world.to_json() for world in self.worlds],
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "warnings": list(self.warnings), "own_world": self.own_world, "answer": self.answer,
        }
        if self.columns is not None:
            data["columns"] = list(self.columns)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnswerRecord:
        """The record ``to_json`` wrote; ``KeyError``, ``TypeError`` or ``ValueError`` when
        ``data`` is not one."""
        example = data["counterexample"]
        return cls(
            candidate=data["candidate"], task=data["task"], answer_sha=data["answer_sha"],
            verdict=Outcome(data["verdict"]), reason=data["reason"], pitfall=data["pitfall"],
            pitfall_name=data["pitfall_name"], message=data["message"],
            order_only=data["order_only"], elapsed_ms=data["elapsed_ms"],
            worlds=[WorldSummary.from_json(world) for world in data["worlds"]],
            counterexample=Counterexample.from_json(example) if example else None,
            warnings=list(data["warnings"]),
            own_world=WorldStatus(data["own_world"]) if data["own_world"] else None,
            answer=data["answer"], columns=data.get("columns"),
        )


@dataclass(frozen=True)
class ScoredAnswer(AnswerRecord):
    """An answer record with the points the rubric gives it."""

    points: float = 0.0
    max_points: float = 0.0

    @classmethod
    def of(cls, record: AnswerRecord, points: float, max_points: float) -> ScoredAnswer:
        return cls(**{f.name: getattr(record, f.name) for f in fields(AnswerRecord)},
                   points=points, max_points=max_points)

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "points": self.points, "max_points": self.max_points}


class FlagKind(StrEnum):
    OWN_WORLD_ONLY = "own_world_only"  # right on the candidate's own data only
    SIMILAR = "similar"  # near-identical to another candidate's answer
    NOT_COMPARED = "not_compared"  # a pair similarity did not look at: too long, no time
    FOREIGN_MANIFEST = "foreign_manifest"  # the submission's manifest.json names another id
    LATE = "late"  # an answer file changed after the take-home's deadline


@dataclass(frozen=True)
class Flag:
    """An integrity signal for a human to look at, never a penalty."""

    kind: FlagKind
    candidate: str
    task: str | None  # None: about the whole submission
    detail: str
    other: str | None = None  # a similar flag's other candidate
    similarity: float | None = None  # a similar flag's ratio

    def to_json(self) -> dict[str, Any]:
        data = {"kind": self.kind, "candidate": self.candidate, "other": self.other,
                "task": self.task, "similarity": self.similarity, "detail": self.detail}
        return {key: value for key, value in data.items() if value is not None}
