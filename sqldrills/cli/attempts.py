"""The learner's progress: one JSON file in the user's data directory, written atomically
under a lock so two terminals never lose each other's updates."""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqldrills.grading.results import Verdict
from sqldrills.paths import data_dir, write_atomic


def progress_file() -> Path:
    return data_dir() / "progress.json"


def load() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(progress_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextlib.contextmanager
def _updating() -> Iterator[dict[str, dict[str, Any]]]:
    path = progress_file()
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = load()
        yield data
        write_atomic(path, json.dumps(data, indent=2, sort_keys=True))


def status(challenge_id: str) -> str:
    """``solved``, ``attempted`` or ``new``."""
    return _status(load().get(challenge_id, {}))


def _status(entry: dict[str, Any]) -> str:
    if entry.get("solved"):
        return "solved"
    return "attempted" if entry.get("attempts") else "new"


def describe(entry: dict[str, Any]) -> str:
    """The status as progress shows it: a solved drill whose last try went wrong says so,
    so "solved" never sits next to a last verdict of "error" unexplained."""
    plain = _status(entry)
    last = entry.get("last_verdict")
    if plain == "solved" and last and last != Verdict.CORRECT:
        return f"solved (last try: {last})"
    return plain


def solved_how(entry: dict[str, Any]) -> str:
    """How the drill was first solved (one of ``SOLVED_HOW``), or "" if it is not."""
    return entry.get("solved_how", "") if entry.get("solved") else ""


# From the most help to the least: a solve counts as the most help seen before it.
SOLVED_HOW = ("after the solution", "with hints", "with clarifications", "unaided")


def _help_seen(entry: dict[str, Any]) -> str:
    if entry.get("solution_seen"):
        return SOLVED_HOW[0]
    if entry.get("hints_shown"):
        return SOLVED_HOW[1]
    # The key learning.py's `clarify` (attempts.next_clarification) counts in.
    if entry.get("clarifications_revealed"):
        return SOLVED_HOW[2]
    return SOLVED_HOW[3]


def record_attempt(challenge_id: str, verdict: str, pitfall: str | None) -> None:
    """Count one graded answer. Callers record only answers that ran: a refused query or
    the untouched starter file is not an attempt."""
    with _updating() as data:
        entry = data.setdefault(challenge_id, {})
        entry["attempts"] = entry.get("attempts", 0) + 1
        entry["last_verdict"] = verdict
        entry["last_pitfall"] = pitfall
        entry["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
        if verdict == Verdict.CORRECT and not entry.get("solved"):
            entry["solved"] = True
            entry["solved_how"] = _help_seen(entry)
        if pitfall:
            entry.setdefault("pitfalls_met", [])
            if pitfall not in entry["pitfalls_met"]:
                entry["pitfalls_met"].append(pitfall)


def next_hint(challenge_id: str, n_hints: int) -> int:
    """Index of the hint to show now (each call reveals one more, up to the last)."""
    with _updating() as data:
        entry = data.setdefault(challenge_id, {})
        shown = min(entry.get("hints_shown", 0) + 1, n_hints)
        entry["hints_shown"] = shown
        return shown - 1


def shown(challenge_id: str, what: str) -> int:
    """How many ``hints`` or ``clarifications`` have been revealed for a drill."""
    key = {"hints": "hints_shown", "clarifications": "clarifications_revealed"}[what]
    return int(load().get(challenge_id, {}).get(key, 0))


def record_solution_seen(challenge_id: str) -> None:
    """The reference was shown: a later first correct answer counts as "after the solution"."""
    with _updating() as data:
        data.setdefault(challenge_id, {})["solution_seen"] = True


def next_clarification(challenge_id: str, total: int) -> int:
    """Index of the clarification to reveal now (each call reveals one more, up to the last).

    The count revealed is kept so progress can tell a drill solved from the screen prompt
    alone from one solved after asking.
    """
    with _updating() as data:
        entry = data.setdefault(challenge_id, {})
        revealed = min(entry.get("clarifications_revealed", 0) + 1, total)
        entry["clarifications_revealed"] = revealed
        return revealed - 1


def reset(challenge_id: str | None = None) -> None:
    with _updating() as data:
        if challenge_id is None:
            data.clear()
        else:
            data.pop(challenge_id, None)
