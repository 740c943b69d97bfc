"""What grading returns: the verdict vocabulary and the result records (architecture.md §3 verdicts).

Every module that judges, shows or scores an answer uses these names; the values are the
public strings of ``check --json`` and the take-home reports (a ``StrEnum`` equals its string,
and JSON writes it as one).

>>> Verdict.CORRECT == "correct", Verdict("misleading").exit_code
(True, 1)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    """The grader's verdict on one answer (the exit code of ``sqldrills check``)."""

    CORRECT = "correct"  # equals the reference on every world
    MISLEADING = "misleading"  # runs, right shape, wrong numbers
    INVALID = "invalid"  # runs, but the output contract is not met
    ERROR = "error"  # does not run: parse error, refused, runtime error, timeout

    @property
    def exit_code(self) -> int:
        return 0 if self is Verdict.CORRECT else 1


class WorldStatus(StrEnum):
    """How an answer fared on one world."""

    MATCH = "match"
    DIFFERS = "differs"
    INVALID = "invalid"
    ERROR = "error"


@dataclass
class WorldReport:
    world: str
    description: str
    status: WorldStatus
    summary: str
    elapsed_ms: float = 0.0
    diffs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def match(self) -> bool:
        return self.status == WorldStatus.MATCH


@dataclass
class GradeResult:
    challenge: str
    verdict: Verdict
    message: str
    pitfall: str | None = None
    pitfall_name: str | None = None
    pitfall_explanation: str | None = None
    worlds: list[WorldReport] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    order_only: bool = False
    elapsed_ms: float = 0.0

    @property
    def exit_code(self) -> int:
        return Verdict(self.verdict).exit_code

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for world in data["worlds"]:
            world["match"] = world["status"] == WorldStatus.MATCH
        return data
