"""The grading manifest: which tasks a take-home has and which bundle each candidate got.

``sqldrills takehome build`` writes it at the top of ``--out``; ``grade`` and ``grade-one``
read it back. It holds the secret the candidate seeds derive from and maps the neutral task
ids candidates see (``task_1``, ...) to the drills behind them, so it is not for candidates.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqldrills.catalog.challenges import Challenge, ChallengeError, get
from sqldrills.paths import CHALLENGES_DIR_ENV
from sqldrills.takehome import TakehomeError, Unreadable, read_user_file

MANIFEST_KIND = "sqldrills-takehome"
MANIFEST_FORMAT = 2  # 2: neutral task ids mapped to drills, catalog, deadline, names
SHARED_ID = "takehome"  # the folder name of the one bundle built without --candidates
CANDIDATE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
MAX_MANIFEST_FILE_BYTES = 50_000_000  # a grading manifest lists candidates: ~100 bytes each


@functools.lru_cache(maxsize=64)
def catalog_challenge(drill: str, catalog: str | None = None) -> Challenge:
    """A drill of ``catalog`` (a folder; None: the built-in one), loaded once per process:
    the grader asks for it once per answer, the rubric and the scoring once per task."""
    return get(drill, Path(catalog) if catalog else None)


def task_id(number: int) -> str:
    """The neutral id candidates see for the ``number``-th task: its prompt file, its answer
    file and its name in the reports; never the drill's id, which may name the pitfall."""
    return f"task_{number}"


@dataclass(frozen=True)
class TaskEntry:
    """A task as the bundle was built: its neutral id and title, the drill behind it
    (grading warns when its content hash has changed)."""

    id: str
    title: str
    content_hash: str
    columns: list[str]
    drill: str = ""  # "" in a format-1 manifest, whose task ids were the drill ids

    @classmethod
    def of(cls, number: int, challenge: Challenge) -> TaskEntry:
        return cls(task_id(number), challenge.title, challenge.content_hash,
                   list(challenge.columns), challenge.id)

    @property
    def drill_id(self) -> str:
        return self.drill or self.id

    def label(self, number: int) -> str:
        """How candidates and reports name it: "Task 2: Daily unique viewers"."""
        return f"Task {number}: {self.title}" if self.title else f"Task {number}"

    def stub(self, number: int) -> str:
        """The answer file a bundle starts with: comments only, so an untouched one is
        ``not attempted``."""
        return (f"-- {self.label(number)}\n"
                f"-- Output columns: {', '.join(self.columns)}\n"
                f"-- Replace these comments with ONE read-only query (SELECT or WITH ...).\n\n")

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "drill": self.drill_id,
                "content_hash": self.content_hash, "columns": list(self.columns)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaskEntry:
        return cls(data["id"], data.get("title", ""), data["content_hash"],
                   list(data.get("columns", [])), data.get("drill", ""))


@dataclass(frozen=True)
class BundleEntry:
    """One bundle built: its id (a candidate's, or ``SHARED_ID``), world seed, folder, zip,
    and the candidate's name and email from candidates.csv ("" when not given)."""

    id: str
    seed: int
    folder: str
    zip: str
    name: str = ""
    email: str = ""

    def world_file(self, manifest_dir: Path) -> Path | None:
        """The bundle's world next to the manifest, when it is still there."""
        path = manifest_dir / self.folder / "data" / "world.duckdb"
        return path if path.is_file() else None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "seed": self.seed, "folder": self.folder, "zip": self.zip,
                "name": self.name, "email": self.email}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BundleEntry:
        return cls(data["id"], data["seed"], data["folder"], data["zip"],
                   str(data.get("name") or ""), str(data.get("email") or ""))


@dataclass(frozen=True)
class Manifest:
    sqldrills_version: str
    created: str
    scale: str
    shared: bool  # one bundle for everyone, built without --candidates
    secret: str | None  # the hidden worlds' seeds derive from it too
    challenges: list[TaskEntry]
    candidates: list[BundleEntry]
    catalog: str | None = None  # the private catalog folder the drills came from
    deadline: str | None = None  # ISO 8601 UTC; answers changed after it are flagged
    data: str = "duckdb"  # the world's format in the bundles: duckdb, parquet or both
    bundle_scale: str | None = None  # the candidates' own worlds (None: ``scale``)

    @property
    def task_ids(self) -> list[str]:
        return [task.id for task in self.challenges]

    @property
    def deadline_at(self) -> datetime | None:
        return datetime.fromisoformat(self.deadline) if self.deadline else None

    def catalog_dir(self) -> str | None:
        """Where the drills are read from when grading: ``--catalog`` (or
        ``$SQLDRILLS_CHALLENGES_DIR``) when given, else the folder the bundles were built
        from, else the built-in drills."""
        return os.environ.get(CHALLENGES_DIR_ENV) or self.catalog

    def drills(self) -> dict[str, Challenge]:
        """Each task's drill (task id -> challenge), or a :class:`TakehomeError` saying
        which is missing and how to point at the catalog."""
        catalog = self.catalog_dir()
        try:
            return {t.id: catalog_challenge(t.drill_id, catalog) for t in self.challenges}
        except ChallengeError as exc:
            where = catalog or "the built-in catalog"
            raise TakehomeError(f"a task's drill cannot be loaded from {where} ({exc}); pass "
                                "--catalog DIR, the catalog the bundles were built from") from None

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
            "catalog": self.catalog, "deadline": self.deadline, "data": self.data,
            "bundle_scale": self.bundle_scale,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            sqldrills_version=data["sqldrills_version"], created=data["created"],
            scale=data["scale"], shared=data.get("shared", False), secret=data.get("secret"),
            challenges=[TaskEntry.from_json(task) for task in data["challenges"]],
            candidates=[BundleEntry.from_json(entry) for entry in data["candidates"]],
            catalog=data.get("catalog"), deadline=data.get("deadline"),
            data=data.get("data", "both"), bundle_scale=data.get("bundle_scale"),
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
