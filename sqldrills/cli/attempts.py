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
    entry = load().get(challenge_id, {})
    if entry.get("solved"):
        return "solved"
    return "attempted" if entry.get("attempts") else "new"


def record_attempt(challenge_id: str, verdict: str, pitfall: str | None) -> None:
    with _updating() as data:
        entry = data.setdefault(challenge_id, {})
        entry["attempts"] = entry.get("attempts", 0) + 1
        entry["last_verdict"] = verdict
        entry["last_pitfall"] = pitfall
        entry["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
        if verdict == Verdict.CORRECT:
            entry["solved"] = True
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


def reset(challenge_id: str | None = None) -> None:
    with _updating() as data:
        if challenge_id is None:
            data.clear()
        else:
            data.pop(challenge_id, None)
