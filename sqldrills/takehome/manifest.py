"""The grading manifest: which tasks a take-home has and which bundle each candidate got.

``sqldrills takehome build`` writes it at the top of ``--out``; ``grade`` and ``grade-one``
read it back. It holds the secret the candidate seeds derive from, so it is not for
candidates.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqldrills.catalog.challenges import Challenge, get
from sqldrills.takehome import TakehomeError, Unreadable, read_user_file

MANIFEST_KIND = "sqldrills-takehome"
MANIFEST_FORMAT = 1
SHARED_ID = "takehome"  # the folder name of the one bundle built without --candidates
CANDIDATE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
MAX_MANIFEST_FILE_BYTES = 50_000_000  # a grading manifest lists candidates: ~100 bytes each


@functools.lru_cache(maxsize=64)
def catalog_challenge(task: str) -> Challenge:
    """The catalog's challenge for a task, loaded once per process: the grader asks for it
    once per answer, the rubric and the scoring once per task."""
    return get(task)


@dataclass(frozen=True)
class TaskEntry:
    """A task as the bundle was built: grading warns when its content hash has changed."""

    id: str
    title: str
    content_hash: str
    columns: list[str]

    @classmethod
    def of(cls, challenge: Challenge) -> TaskEntry:
        return cls(challenge.id, challenge.title, challenge.content_hash, list(challenge.columns))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "content_hash": self.content_hash,
                "columns": list(self.columns)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaskEntry:
        return cls(data["id"], data.get("title", ""), data["content_hash"],
                   list(data.get("columns", [])))


@dataclass(frozen=True)
class BundleEntry:
    """One bundle built: its id (a candidate's, or ``SHARED_ID``), world seed, folder, zip."""

    id: str
    seed: int
    folder: str
    zip: str

    def world_file(self, manifest_dir: Path) -> Path | None:
        """The bundle's world next to the manifest, when it is still there."""
        path = manifest_dir / self.folder / "data" / "world.duckdb"
        return path if path.is_file() else None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "seed": self.seed, "folder": self.folder, "zip": self.zip}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BundleEntry:
        return cls(data["id"], data["seed"], data["folder"], data["zip"])


@dataclass(frozen=True)
class Manifest:
    sqldrills_version: str
    created: str
    scale: str
    shared: bool  # one bundle for everyone, built without --candidates
    secret: str | None  # the hidden worlds' seeds derive from it too
    challenges: list[TaskEntry]
    candidates: list[BundleEntry]

    @property
    def task_ids(self) -> list[str]:
        return [task.id for task in self.challenges]

    def bundle_of(self, candidate: str | None) -> BundleEntry | None:
        """The bundle a candidate was given: the shared one, or their own (None for a
        stranger, who has no own world to compare)."""
        wanted = SHARED_ID if self.shared else candidate
        return next((entry for entry in self.candidates if entry.id == wanted), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": MANIFEST_KIND, "format": MANIFEST_FORMAT,
            "sqldrills_version": self.sqldrills_version, "created": self.created,
            "scale": self.scale, "shared": self.shared, "secret": self.secret,
            "challenges": [task.to_json() for task in self.challenges],
            "candidates": [entry.to_json() for entry in self.candidates],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            sqldrills_version=data["sqldrills_version"], created=data["created"],
            scale=data["scale"], shared=data.get("shared", False), secret=data.get("secret"),
            challenges=[TaskEntry.from_json(task) for task in data["challenges"]],
            candidates=[BundleEntry.from_json(entry) for entry in data["candidates"]],
        )


def load_manifest(path: Path) -> Manifest:
    try:
        raw = read_user_file(path, MAX_MANIFEST_FILE_BYTES)
        data = json.loads(raw.decode("utf-8"))
    except (Unreadable, ValueError) as exc:
        raise TakehomeError(f"cannot read the manifest {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") != MANIFEST_KIND:
        raise TakehomeError(f"{path} is not a take-home manifest (use the manifest.json at "
                            "the top of `sqldrills takehome build --out`, not a bundle's)")
    try:
        return Manifest.from_json(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise TakehomeError(f"{path} is an incomplete take-home manifest ({exc!r}): rebuild it "
                            "with `sqldrills takehome build`") from None
