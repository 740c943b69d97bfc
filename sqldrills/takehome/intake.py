"""Read submissions: one job per (candidate, task) from a folder of candidate folders and/or
zips, read defensively.

Nothing is extracted and no symbolic link is followed: zip entries are read in memory, each
read capped. Missing, empty, non-UTF-8 and oversized answers, unsafe entries and bomb-like
zips become an ``error`` or ``skipped`` job with a reason instead of stopping the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqldrills.takehome.manifest import CANDIDATE_ID, BundleEntry, Manifest
from sqldrills.takehome.records import Outcome

MAX_ANSWER_BYTES = 1_000_000
MAX_ZIP_TOTAL_BYTES = 200_000_000  # declared uncompressed size of all entries
MAX_ZIP_RATIO = 200  # uncompressed / compressed, per entry
MAX_ZIP_ENTRIES = 10_000

@dataclass
class Job:
    """One answer to grade, or an outcome already decided while reading it."""

    candidate: str
    task: str
    answer_sha: str
    sql: str | None = None  # None when ``verdict`` is already decided
    verdict: Outcome | None = None  # error or skipped when decided while reading
    reason: str | None = None
    seed: int | None = None  # the candidate's own world, for the integrity check
    world_file: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.candidate, self.task, self.answer_sha)


@dataclass
class Submission:
    """What was found for one candidate: answer bytes (or why not) per task, and notes."""

    name: str
    answers: dict[str, bytes | str]  # task -> bytes, or the reason there is none
    notes: list[str] = field(default_factory=list)
    declared_candidate: str | None = None


def _answer_names(tasks: list[str]) -> dict[str, str]:
    return {f"{task}.sql": task for task in tasks}


def _shallowest(found: dict[str, list[tuple[int, Any]]], task: str) -> Any | None:
    options = sorted(found.get(task, []), key=lambda item: item[0])
    return options[0][1] if options else None


def read_folder(folder: Path, tasks: list[str]) -> Submission:
    """Answers under ``answers/`` anywhere in a candidate's folder (no symlinks followed)."""
    sub = Submission(folder.name, {})
    wanted = _answer_names(tasks)
    found: dict[str, list[tuple[int, Path]]] = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        base = Path(root)
        dirs[:] = sorted(d for d in dirs if not (base / d).is_symlink())
        for name in files:
            path = base / name
            if name == "manifest.json" and base == folder:
                sub.declared_candidate = _declared_candidate(path.read_bytes()[:100_000])
            if base.name != "answers" or name not in wanted:
                continue
            if path.is_symlink():
                sub.notes.append(f"skipped {path.relative_to(folder)}: a symbolic link")
                continue
            found.setdefault(wanted[name], []).append((len(path.parts), path))
    for task in tasks:
        path = _shallowest(found, task)
        if path is None:
            sub.answers[task] = f"no answers/{task}.sql in the submission"
            continue
        with open(path, "rb") as handle:
            sub.answers[task] = handle.read(MAX_ANSWER_BYTES + 1)
    return sub


def _declared_candidate(data: bytes) -> str | None:
    try:
        value = json.loads(data).get("candidate")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and CANDIDATE_ID.match(value) else None


def _unsafe_entry(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in re.split(r"[\\/]", name):
        return "a path that climbs out of the folder (..)"
    return None


def read_zip(path: Path, tasks: list[str]) -> Submission:
    """Answers from a zip, never extracted: entries are read in memory, each capped."""
    sub = Submission(path.stem, {})
    wanted = _answer_names(tasks)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        reason = f"the zip file cannot be opened ({exc})"
        sub.answers = dict.fromkeys(tasks, reason)
        return sub
    with archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if len(infos) > MAX_ZIP_ENTRIES or total > MAX_ZIP_TOTAL_BYTES:
            reason = (f"the zip holds {len(infos):,} entries and {total:,} bytes uncompressed; "
                      f"the limits are {MAX_ZIP_ENTRIES:,} and {MAX_ZIP_TOTAL_BYTES:,}")
            sub.answers = dict.fromkeys(tasks, reason)
            return sub
        found: dict[str, list[tuple[int, zipfile.ZipInfo]]] = {}
        for info in infos:
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            unsafe = _unsafe_entry(info)
            if unsafe:
                sub.notes.append(f"skipped zip entry {info.filename!r}: {unsafe}")
                continue
            if info.is_dir():
                continue
            if len(parts) <= 2 and parts[-1] == "manifest.json" and info.file_size < 100_000:
                sub.declared_candidate = _declared_candidate(archive.read(info))
            if len(parts) >= 2 and parts[-2] == "answers" and parts[-1] in wanted:
                found.setdefault(wanted[parts[-1]], []).append((len(parts), info))
        for task in tasks:
            info = _shallowest(found, task)
            if info is None:
                sub.answers[task] = f"no answers/{task}.sql in the zip"
            elif info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1) \
                    and info.file_size > 10_000:
                sub.answers[task] = (f"answers/{task}.sql is compressed {info.file_size:,} -> "
                                     f"{info.compress_size:,} bytes: refused as a zip bomb")
            else:
                try:
                    with archive.open(info) as handle:  # sizes in headers can lie: cap the read
                        sub.answers[task] = handle.read(MAX_ANSWER_BYTES + 1)
                except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
                    sub.answers[task] = f"answers/{task}.sql cannot be read from the zip ({exc})"
    return sub


def find_submissions(folder: Path, tasks: list[str]) -> tuple[list[Submission], list[str]]:
    """Candidate folders and zips in ``folder``; notes on everything else found there."""
    subs: dict[str, Submission] = {}
    notes = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_symlink():
            notes.append(f"skipped {path.name}: a symbolic link")
        elif path.is_dir():
            subs[path.name] = read_folder(path, tasks)
        elif path.suffix.lower() == ".zip" and path.is_file():
            if path.stem in subs:
                notes.append(f"skipped {path.name}: the folder {path.stem}/ is graded instead")
                continue
            subs[path.stem] = read_zip(path, tasks)
        else:
            notes.append(f"skipped {path.name}: neither a folder nor a .zip")
    return list(subs.values()), notes


def decode_answer(data: bytes) -> tuple[str | None, str | None]:
    """``(sql, None)`` for a usable answer, ``(None, reason)`` otherwise.

    >>> decode_answer(b"select 1")
    ('select 1', None)
    >>> decode_answer(b"-- only the stub\\n")[1]
    'the answer is empty (only comments or whitespace)'
    >>> decode_answer(b"select '\\xff'")[1]
    'the answer is not UTF-8 text (byte 0xff at offset 8)'
    """
    if len(data) > MAX_ANSWER_BYTES:
        return None, f"the answer is larger than {MAX_ANSWER_BYTES:,} bytes"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, (f"the answer is not UTF-8 text (byte 0x{data[exc.start]:02x} "
                      f"at offset {exc.start})")
    if "\x00" in text:
        return None, "the answer contains NUL bytes (a binary file?)"
    code = re.sub(r"--[^\n]*|/\*.*?\*/", "", text, flags=re.S)
    if not code.strip():
        return None, "the answer is empty (only comments or whitespace)"
    return text, None


def collect_jobs(
    manifest: Manifest, manifest_dir: Path, submissions_dir: Path
) -> tuple[list[Job], dict[str, list[str]], list[str]]:
    """One job per (candidate, task): every manifest candidate and every submission.

    Returns the jobs, notes per candidate and notes about the submissions folder.
    """
    tasks = manifest.task_ids
    known = {entry.id for entry in manifest.candidates}
    subs, folder_notes = find_submissions(submissions_dir, tasks)
    matched: dict[str, Submission] = {}
    notes: dict[str, list[str]] = {}
    for sub in subs:
        name = sub.name
        if not manifest.shared and name not in known and sub.declared_candidate in known:
            name = sub.declared_candidate
        if name in matched:
            folder_notes.append(f"skipped {sub.name}: a second submission for {name}")
            continue
        matched[name] = sub
        notes[name] = list(sub.notes)
        if not manifest.shared and name not in known:
            notes[name].append("not a candidate of this take-home (no own world to compare)")
    order = [] if manifest.shared else [entry.id for entry in manifest.candidates]
    order += sorted(n for n in matched if n not in order)
    jobs = []
    for candidate in order:
        sub = matched.get(candidate)
        if sub is None:
            notes.setdefault(candidate, []).append("no submission found")
        answers = sub.answers if sub else dict.fromkeys(tasks, "no submission found")
        jobs += candidate_jobs(candidate, answers, tasks, manifest.bundle_of(candidate),
                               manifest_dir)
    return jobs, notes, folder_notes


def candidate_jobs(candidate: str, answers: dict[str, bytes | str], tasks: list[str],
                   bundle: BundleEntry | None, manifest_dir: Path) -> list[Job]:
    """The jobs for one candidate's answers (bytes, or the reason there is none) to every
    task; with the candidate's bundle, they carry its world for the own-world check."""
    seed = bundle.seed if bundle else None
    world = bundle.world_file(manifest_dir) if bundle else None
    return [_job(candidate, task, answers.get(task, "no answer"), seed, world) for task in tasks]


def _job(candidate: str, task: str, found: bytes | str, seed: int | None,
         world: Path | None) -> Job:
    job = Job(candidate, task, "", seed=seed, world_file=str(world) if world else None)
    if isinstance(found, str):
        job.verdict, job.reason = Outcome.SKIPPED, found
        job.answer_sha = "skipped:" + hashlib.sha256(found.encode()).hexdigest()[:16]
        return job
    job.answer_sha = hashlib.sha256(found).hexdigest()[:32]
    job.sql, reason = decode_answer(found)
    if reason:
        job.verdict, job.reason, job.sql = Outcome.ERROR, reason, None
    return job


def read_answers_dir(folder: Path, tasks: list[str]) -> dict[str, bytes | str]:
    """``<task>.sql`` (or ``answers/<task>.sql``) in one folder: single-answer mode."""
    answers: dict[str, bytes | str] = {}
    for task in tasks:
        path = next((p for p in (folder / f"{task}.sql", folder / "answers" / f"{task}.sql")
                     if p.is_file() and not p.is_symlink()), None)
        if path is None:
            answers[task] = f"no {task}.sql in {folder.name}/"
            continue
        with open(path, "rb") as handle:
            answers[task] = handle.read(MAX_ANSWER_BYTES + 1)
    return answers
