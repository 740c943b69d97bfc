"""Interview mode's state and scoring, with no terminal in it: the tasks, the time each took,
the clarifications asked, the verdicts (from the one grader, ``grading.grade.grade``) and the
history of scorecards.

The interview in progress is one JSON file in the user's data directory, rewritten
atomically after every change (and every few seconds of the clock), so an interview
interrupted by ``q``, a closed terminal or a crash resumes where it stopped. Finished
interviews are appended to a history file that ``sqldrills progress --interviews`` reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqldrills.paths import data_dir, write_atomic

if TYPE_CHECKING:
    from sqldrills.catalog.challenges import Challenge, Clarification

DEFAULT_TASKS = 3  # drills picked for --track or no choice at all: one screen's worth
SKIPPED = "skipped"  # a task submitted with its starter file untouched (as take-home reports say)
SCORECARD_COLUMNS = ["interview", "task", "verdict", "pitfall", "time", "clarifications"]


@dataclass
class Task:
    drill: str
    seconds: float = 0.0  # time spent on it: the clock runs for the task on screen
    clarifications: int = 0
    submitted: bool = False
    verdict: str | None = None
    pitfall: str | None = None  # the pitfall's name, when the grader recognised one
    sql: str | None = None  # what was submitted: answer files are rewritten by the next interview


@dataclass
class Interview:
    started: str
    minutes: float
    answers_dir: str
    dialect: str = "duckdb"
    scale: str | None = None
    tasks: list[Task] = field(default_factory=list)
    current: int = 0

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.minutes * 60 - sum(t.seconds for t in self.tasks))

    @property
    def task(self) -> Task:
        return self.tasks[self.current]

    @property
    def finished(self) -> bool:
        return self.remaining_s <= 0 or all(t.submitted for t in self.tasks)

    def answer(self, task: Task) -> Path:
        return Path(self.answers_dir) / f"{task.drill}.sql"

    def tick(self, seconds: float) -> None:
        """Count ``seconds`` of the clock against the task on screen."""
        if not self.task.submitted:
            self.task.seconds += seconds

    def next_task(self) -> bool:
        """Move to the next task not yet submitted (round the list); False if none is left."""
        for step in range(1, len(self.tasks) + 1):
            index = (self.current + step) % len(self.tasks)
            if not self.tasks[index].submitted:
                self.current = index
                return True
        return False

    def clarify(self, challenge: Challenge) -> Clarification | None:
        """The current task's next clarification (counted), or None when none is left."""
        if self.task.clarifications >= len(challenge.clarifications):
            return None
        self.task.clarifications += 1
        return challenge.clarifications[self.task.clarifications - 1]

    def submit(self, challenge: Challenge, sql: str | None, timeout_s: float) -> Task:
        """Grade the current task's answer once, on every world (``None``: the starter file
        was never written in, so there is nothing to grade)."""
        task = self.task
        task.submitted, task.sql = True, sql
        if sql is None:
            task.verdict = SKIPPED
            return task
        from sqldrills.grading.grade import grade
        from sqldrills.grading.sandbox import Limits

        result = grade(challenge, sql, dialect=self.dialect, limits=Limits(timeout_s=timeout_s),
                       scale=self.scale)
        task.verdict, task.pitfall = str(result.verdict), result.pitfall_name
        return task

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Interview:
        tasks = [Task(**t) for t in data.pop("tasks")]
        return cls(**data, tasks=tasks)


def choose_drills(challenges: Sequence[Challenge], solved: Iterable[str], *, track: str | None = None,
                  ids: Sequence[str] | None = None, count: int = DEFAULT_TASKS) -> list[str]:
    """The interview's drills, unsolved ones first (in learning order, or in the order of
    ``ids``): all of ``ids`` when given, else ``count`` of the track's (or the catalog's)."""
    solved = set(solved)
    if ids:  # each drill once (two tasks of one drill would share an answer file)
        by_id = {c.id: c for c in challenges}
        picked = [by_id[i] for i in dict.fromkeys(ids)]
    else:
        picked = [c for c in challenges if track is None or c.track == track]
    ordered = sorted(picked, key=lambda c: c.id in solved)  # stable: keeps the order within each
    return [c.id for c in (ordered if ids else ordered[:count])]


def start(drills: Sequence[str], minutes: float, answers_dir: Path, dialect: str,
          scale: str | None) -> Interview:
    interview = Interview(datetime.now(UTC).isoformat(timespec="seconds"), minutes, str(answers_dir),
                          dialect, scale, [Task(d) for d in drills])
    save(interview)
    return interview


def _state_file() -> Path:
    return data_dir() / "interview.json"


def _history_file() -> Path:
    return data_dir() / "interviews.json"


def save(interview: Interview) -> None:
    write_atomic(_state_file(), json.dumps(interview.to_json(), indent=2))


def paused() -> Interview | None:
    """The interview in progress, if one was interrupted; an unreadable file is none."""
    try:
        return Interview.from_json(json.loads(_state_file().read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def discard() -> None:
    _state_file().unlink(missing_ok=True)


def history() -> list[dict[str, Any]]:
    try:
        data = json.loads(_history_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def finish(interview: Interview) -> None:
    """Keep the scorecard in the history and forget the interview in progress."""
    write_atomic(_history_file(), json.dumps([*history(), interview.to_json()], indent=2))
    discard()


def clock(seconds: float) -> str:
    """
    >>> clock(0), clock(61.9), clock(3600)
    ('0:00', '1:01', '60:00')
    """
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def scorecard_rows(interview: Interview) -> list[tuple[str, ...]]:
    """One row per task (``SCORECARD_COLUMNS``)."""
    day = interview.started[:16].replace("T", " ")
    return [(day, t.drill, t.verdict or "not submitted", t.pitfall or "", clock(t.seconds),
             str(t.clarifications)) for t in interview.tasks]


def history_rows() -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for data in history():
        rows += scorecard_rows(Interview.from_json(dict(data)))
    return rows
