"""The results log: one JSON line per graded answer, so an interrupted run resumes.

Each line is appended and fsync'd before the next answer is graded; ``--resume`` keeps the
lines that survived and grades only the answers (by candidate, task and answer bytes) that
are not in the log yet.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqldrills.paths import write_atomic
from sqldrills.takehome.records import AnswerRecord

RESULTS_LOG = "results.jsonl"


class ResultsLog:
    """The records of a run, in ``path``; a torn last line is dropped."""

    def __init__(self, path: Path, resume: bool) -> None:
        self.path = path
        self.records: list[AnswerRecord] = []
        if resume and path.exists():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    self.records.append(AnswerRecord.from_json(json.loads(line)))
                except (ValueError, KeyError, TypeError, AttributeError):
                    continue  # the line a killed run was writing
        # Rewrite what survived so the next append never lands after a torn line.
        write_atomic(path, "".join(json.dumps(r.to_json()) + "\n" for r in self.records))

    def done(self) -> set[tuple[str, str, str]]:
        """(candidate, task, answer_sha) of every answer in the log."""
        return {(r.candidate, r.task, r.answer_sha) for r in self.records}

    def append(self, record: AnswerRecord) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record.to_json()) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.records.append(record)

    def latest(self) -> dict[tuple[str, str], AnswerRecord]:
        """The last record of each (candidate, task): a changed answer's regrade wins."""
        return {(r.candidate, r.task): r for r in self.records}
