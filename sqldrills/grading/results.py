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


@dataclass(frozen=True)
class Repair:
    """One edit of the learner's own query that, with the others of its diagnosis, makes it
    right on every world: on ``line``, ``before`` becomes ``after``. ``pitfall`` is the trap
    this kind of edit repairs in the drill, when exactly one does."""

    line: int | None
    before: str
    after: str
    kind: str
    pitfall: str | None = None
    pitfall_name: str | None = None
    pitfall_explanation: str | None = None

    def describe(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}change `{self.before}` to `{self.after}`"


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
    repairs: list[Repair] = field(default_factory=list)  # see sqldrills.grading.diagnose

    @property
    def exit_code(self) -> int:
        return Verdict(self.verdict).exit_code

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for world in data["worlds"]:
            world["match"] = world["status"] == WorldStatus.MATCH
        return data
