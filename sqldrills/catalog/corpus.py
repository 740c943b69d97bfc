"""How well the grader names pitfalls, measured on a labelled corpus of wrong answers.

A corpus is a folder of ``<drill>.toml`` files, each an array of ``[[answer]]`` tables:
``id``, ``sql``, ``pitfalls`` (the drill's trap ids the answer commits), optional ``other``
(a mistake no trap names), ``line``, ``verdict`` and ``note`` (tests/diagnosis/README.md).
Each answer is graded like a learner's; a pitfall the grader names (the trap it matches,
or the pitfalls of the repair it finds) is *right* when the label lists it and *wrong*
otherwise. The figures that matter: the share of labelled answers named right (and never
wrongly), and the share of all answers named wrongly, which must stay near zero.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqldrills.catalog.challenges import Challenge, get
from sqldrills.grading.results import Verdict
from sqldrills.strictkeys import check_keys

ANSWER_KEYS = {"id", "sql"}
OPTIONAL_KEYS = {"pitfalls", "other", "line", "verdict", "note"}


class CorpusError(ValueError):
    """A corpus file that is not as described above."""


@dataclass(frozen=True)
class Answer:
    drill: str
    id: str
    sql: str
    pitfalls: frozenset[str]  # labelled trap ids


@dataclass(frozen=True)
class Outcome:
    answer: Answer
    verdict: str
    named: frozenset[str]  # what the grader named

    @property
    def wrong(self) -> frozenset[str]:
        return self.named - self.answer.pitfalls

    @property
    def right(self) -> bool:
        return bool(self.named) and not self.wrong


@dataclass
class CorpusReport:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def labelled(self) -> list[Outcome]:
        """Answers a pitfall could be named for: wrong, and labelled with a trap of the drill."""
        return [o for o in self.outcomes if o.answer.pitfalls and o.verdict == Verdict.MISLEADING]

    @property
    def named_share(self) -> float:
        return sum(o.right for o in self.labelled) / len(self.labelled) if self.labelled else 0.0

    @property
    def wrong_share(self) -> float:
        return sum(bool(o.wrong) for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    def by_drill(self) -> dict[str, CorpusReport]:
        drills: dict[str, CorpusReport] = {}
        for outcome in self.outcomes:
            drills.setdefault(outcome.answer.drill, CorpusReport()).outcomes.append(outcome)
        return drills


def load_corpus(folder: Path, drills: dict[str, Challenge] | None = None) -> list[Answer]:
    """Every answer of the corpus in ``folder``, checked strictly against its drill's traps."""
    answers = []
    for path in sorted(folder.glob("*.toml")):
        drill = (drills or {}).get(path.stem) or get(path.stem)
        known = {trap.id for trap in drill.traps}
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CorpusError(f"{path}: {exc}") from None
        check_keys(data, optional={"answer"}, where=str(path), error=CorpusError)
        for number, entry in enumerate(data.get("answer", []), start=1):
            where = f"{path} [[answer]] #{number}"
            check_keys(entry, required=ANSWER_KEYS, optional=OPTIONAL_KEYS, where=where, error=CorpusError)
            pitfalls = entry.get("pitfalls", [])
            if not isinstance(pitfalls, list) or not all(isinstance(p, str) for p in pitfalls):
                raise CorpusError(f"{where}: pitfalls must be a list of trap ids")
            unknown = set(pitfalls) - known
            if unknown:
                raise CorpusError(f"{where}: {', '.join(sorted(unknown))} is not a trap of {drill.id}")
            answers.append(Answer(drill.id, entry["id"], entry["sql"], frozenset(pitfalls)))
    return answers


def measure(answers: list[Answer], scale: str | None = None,
            progress: Callable[[str, int, int], None] | None = None) -> CorpusReport:
    """Grade every answer and record what the grader named."""
    from sqldrills.grading.grade import grade

    report = CorpusReport()
    drills: dict[str, Challenge] = {}  # each drill's folder is read once, not once per answer
    for done, answer in enumerate(answers):
        if progress:
            progress(f"{answer.drill}/{answer.id}", done, len(answers))
        if answer.drill not in drills:
            drills[answer.drill] = get(answer.drill)
        result = grade(drills[answer.drill], answer.sql, scale=scale)
        named = {result.pitfall} | {r.pitfall for r in result.repairs}
        report.outcomes.append(Outcome(answer, result.verdict, frozenset(n for n in named if n)))
    if progress:
        progress("done", len(answers), len(answers))
    return report
