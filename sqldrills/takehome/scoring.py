"""Score a graded cohort: the rubric's points and the integrity signals for every answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqldrills.catalog.challenges import Challenge
from sqldrills.takehome.intake import Job
from sqldrills.takehome.integrity import integrity_flags
from sqldrills.takehome.manifest import Manifest, TaskEntry
from sqldrills.takehome.records import AnswerRecord, Flag, Outcome, ScoredAnswer
from sqldrills.takehome.rubric import Rubric


@dataclass
class Cohort:
    """Everything the reports show: scored answers, flags and notes, in a stable order."""

    tasks: list[TaskEntry]
    candidates: list[str]
    answers: dict[tuple[str, str], ScoredAnswer]  # (candidate, task id) -> answer
    notes: dict[str, list[str]]
    folder_notes: list[str]
    flags: list[Flag]
    warnings: list[str]  # about the run (e.g. a challenge changed since build)
    file_names: dict[str, str] = field(default_factory=dict)  # candidate -> unique, safe
    people: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, email)
    # (task, pitfall) -> why that pitfall's numbers mislead, for the feedback pages
    explanations: dict[tuple[str, str], str] = field(default_factory=dict)

    def label(self, task: str) -> str:
        """A task as candidates saw it: "Task 2: Daily unique viewers"."""
        number, entry = next((i, t) for i, t in enumerate(self.tasks, start=1) if t.id == task)
        return entry.label(number)

    def person(self, candidate: str) -> tuple[str, str]:
        """(name, email) from candidates.csv, "" where not given."""
        return self.people.get(candidate, ("", ""))

    def answers_of(self, candidate: str) -> list[ScoredAnswer]:
        """A candidate's answers, in task order."""
        return [self.answers[(candidate, task.id)] for task in self.tasks]

    def total(self, candidate: str) -> tuple[float, float]:
        """(points, max points) of a candidate."""
        answers = self.answers_of(candidate)
        return (round(sum(a.points for a in answers), 4),
                round(sum(a.max_points for a in answers), 4))

    def pitfall_counts(self) -> list[tuple[str, str, int]]:
        """(task, pitfall, candidates caught), most frequent first."""
        counts: dict[tuple[str, str], int] = {}
        for answer in self.answers.values():
            if answer.verdict == Outcome.MISLEADING:
                key = (answer.task, answer.pitfall or "unrecognised")
                counts[key] = counts.get(key, 0) + 1
        return sorted(((t, p, n) for (t, p), n in counts.items()), key=lambda x: (-x[2], x))

    def candidate_json(self, candidate: str) -> dict[str, Any]:
        score, max_score = self.total(candidate)
        name, email = self.person(candidate)
        return {"candidate": candidate, "name": name, "email": email,
                "score": score, "max_score": max_score,
                "notes": self.notes.get(candidate, []),
                "answers": [answer.to_json() for answer in self.answers_of(candidate)]}

    def to_json(self) -> dict[str, Any]:
        return {
            "tasks": [{"id": t.id, "label": t.label(i), "columns": list(t.columns)}
                      for i, t in enumerate(self.tasks, start=1)],
            "warnings": self.warnings,
            "folder_notes": self.folder_notes, "flags": [flag.to_json() for flag in self.flags],
            "candidates": [self.candidate_json(c) for c in self.candidates],
        }


def file_name(candidate: str) -> str:
    """A safe file name for a candidate id taken from a submission's name.

    >>> file_name("../ada lovelace")
    '_.._ada_lovelace'
    """
    name = re.sub(r"[^A-Za-z0-9_.@+-]", "_", candidate)
    return "_" + name if name.startswith(".") or not name else name


def unique_file_names(candidates: list[str]) -> tuple[dict[str, str], list[str]]:
    """A file name per candidate, no two the same even on a case-insensitive disk, and a
    note for each one that had to change.

    A candidate whose id is already a safe name keeps it; the others, in cohort order,
    take the next free ``-2``, ``-3``, ...: the same cohort always gets the same names.

    >>> unique_file_names(["ann lee", "ann_lee", "Ann_Lee"])
    ({'ann_lee': 'ann_lee', 'Ann_Lee': 'Ann_Lee-2', 'ann lee': 'ann_lee-3'}, \
['Ann_Lee: its files are named Ann_Lee-2 (Ann_Lee is taken by ann_lee)', \
'ann lee: its files are named ann_lee-3 (ann_lee is taken by ann_lee)'])
    """
    names: dict[str, str] = {}
    owners: dict[str, str] = {}  # casefolded name -> candidate
    notes = []
    exact = [c for c in candidates if file_name(c) == c]
    for candidate in exact + [c for c in candidates if c not in exact]:
        base = name = file_name(candidate)
        suffix = 1
        while name.casefold() in owners:
            suffix += 1
            name = f"{base}-{suffix}"
        if name != base:
            notes.append(f"{candidate}: its files are named {name} ({base} is taken by "
                         f"{owners[base.casefold()]})")
        names[candidate] = name
        owners[name.casefold()] = candidate
    return names, notes


def score(
    manifest: Manifest,
    jobs: list[Job],
    latest: dict[tuple[str, str], AnswerRecord],
    rubric: Rubric,
    notes: dict[str, list[str]],
    folder_notes: list[str],
    intake_flags: list[Flag] | None = None,
    drills: dict[str, Challenge] | None = None,
) -> Cohort:
    """Points from the rubric, and the integrity signals (after those raised while reading
    the submissions, ``intake_flags``), for every job's latest record; ``drills`` (task id
    -> drill, default: the manifest's) give the pitfalls' explanations."""
    drills = drills if drills is not None else manifest.drills()
    candidates = list(dict.fromkeys(job.candidate for job in jobs))
    answers = {}
    for job in jobs:
        record = latest[(job.candidate, job.task)]
        answers[(job.candidate, job.task)] = ScoredAnswer.of(
            record, rubric.award(record), rubric.max_points(job.task))
    flags = [*(intake_flags or []), *integrity_flags(answers, candidates, manifest.task_ids)]
    warnings = [f"{t.label(i)} changed since the bundle was built (content hash "
                f"{t.content_hash} -> {drills[t.id].content_hash})"
                for i, t in enumerate(manifest.challenges, start=1)
                if drills[t.id].content_hash != t.content_hash]
    names, renamed = unique_file_names(candidates)
    people = {e.id: (e.name, e.email) for e in manifest.candidates if e.name or e.email}
    explanations = {(task, trap.id): trap.explanation
                    for task, drill in drills.items() for trap in drill.traps}
    return Cohort(manifest.challenges, candidates, answers, notes, folder_notes + renamed,
                  flags, warnings, names, people, explanations)
