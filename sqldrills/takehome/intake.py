"""Read submissions: one job per (candidate, task) from a folder of candidate folders and/or
zips, read defensively.

Nothing is extracted, no symbolic link is followed and nothing but a regular file is
opened: a named pipe or a device never blocks or floods the run. Every walk is bounded
(depth, entries) and every read capped. A candidate is who the grader found (the folder or
zip name), never what a file inside claims. Names of any bytes are kept as escaped text
(:func:`escape_name`). A missing answer or an untouched stub is ``not_attempted``;
non-UTF-8 and oversized answers, unsafe entries and bomb-like zips become an ``error`` job
with a reason instead of stopping the run. When each answer file last changed is kept for
the deadline check (``deadline``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqldrills.takehome import Unreadable, file_kind, open_regular, read_regular
from sqldrills.takehome.answers import (
    MAX_ANSWER_BYTES,
    UNTOUCHED,
    NotRead,
    decode_answer,
    escape_name,
)
from sqldrills.takehome.deadline import Changed, file_changed, late_flags, zip_entry_changed
from sqldrills.takehome.manifest import Manifest
from sqldrills.takehome.records import Flag, FlagKind, Outcome

MAX_MANIFEST_BYTES = 100_000  # a bundle manifest.json inside a submission
MAX_ZIP_TOTAL_BYTES = 200_000_000  # declared uncompressed size of all entries
MAX_ZIP_RATIO = 200  # uncompressed / compressed, per entry
MAX_ZIP_ENTRIES = 10_000
MAX_DEPTH = 32  # folder levels searched inside a submission (a bundle needs 3)
MAX_FILES = 10_000  # directory entries looked at inside one submission folder


@dataclass
class Job:
    """One answer to grade, or an outcome already decided while reading it."""

    candidate: str
    task: str
    answer_sha: str
    sql: str | None = None  # None when ``verdict`` is already decided
    verdict: Outcome | None = None  # error or not_attempted when decided while reading
    reason: str | None = None
    seed: int | None = None  # the candidate's own world, for the integrity check
    world_file: str | None = None
    world_scale: str | None = None  # its scale, to rebuild it when the file is gone
    drill: str = ""  # the drill behind the task, and the catalog folder it is read from
    catalog: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.candidate, self.task, self.answer_sha)


@dataclass
class Submission:
    """What was found for one candidate: answer bytes (or why not) per task, and notes.

    ``name`` is the escaped folder or zip name: the candidate's identity. ``declared`` is
    the candidate a bundle ``manifest.json`` inside names, compared, never trusted.
    """

    name: str
    answers: dict[str, bytes | NotRead]  # task -> bytes, or why there are none
    notes: list[str] = field(default_factory=list)
    declared: str | None = None
    changed: dict[str, Changed] = field(default_factory=dict)  # task -> last changed


def _answer_names(tasks: list[str]) -> dict[str, str]:
    return {f"{task}.sql": task for task in tasks}


def _walk(folder: Path, notes: list[str]) -> Iterator[tuple[tuple[str, ...], os.DirEntry]]:
    """Every entry below ``folder`` that is not a folder, as (path parts, entry), shallowest
    first; links are not followed, and the walk stops at ``MAX_DEPTH`` and ``MAX_FILES``
    with a note. Iterative: no tree is deep enough to exhaust the stack."""
    queue: deque[tuple[Path, tuple[str, ...]]] = deque([(folder, ())])
    seen = 0
    too_deep = False
    while queue:
        path, parts = queue.popleft()
        try:
            with os.scandir(path) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError as exc:
            notes.append(f"skipped {_shown(parts)}/: {exc.strerror or exc}")
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_FILES:
                notes.append(f"stopped looking after {MAX_FILES:,} files and folders "
                             "(the limit per submission)")
                return
            if entry.is_dir(follow_symlinks=False):
                if len(parts) + 1 < MAX_DEPTH:
                    queue.append((Path(entry.path), (*parts, entry.name)))
                elif not too_deep:
                    too_deep = True
                    notes.append(f"not searched below {_shown((*parts, entry.name))}/: "
                                 f"folders nested deeper than {MAX_DEPTH} levels")
            else:
                yield (*parts, entry.name), entry


def _shown(parts: tuple[str, ...]) -> str:
    return escape_name("/".join(parts)) or "."


def read_folder(folder: Path, tasks: list[str]) -> Submission:
    """Answers under ``answers/`` anywhere in a candidate's folder: for each task the
    shallowest regular file (links, pipes and devices are noted, never opened)."""
    sub = Submission(escape_name(folder.name), {})
    wanted = _answer_names(tasks)
    refused: dict[str, NotRead] = {}
    for parts, entry in _walk(folder, sub.notes):
        is_manifest = parts == ("manifest.json",)
        task = wanted.get(parts[-1]) if len(parts) >= 2 and parts[-2] == "answers" else None
        if not is_manifest and (task is None or task in sub.answers):
            continue
        limit = MAX_MANIFEST_BYTES if is_manifest else MAX_ANSWER_BYTES
        try:
            data = read_regular(Path(entry.path), limit)
        except Unreadable as exc:
            sub.notes.append(f"skipped {_shown(parts)}: {exc}")
            if task:
                refused.setdefault(task, NotRead(f"{_shown(parts)} is not read: {exc}"))
            continue
        if task:
            sub.answers[task] = data
            with contextlib.suppress(OSError):  # gone since it was read: no time to compare
                sub.changed[task] = file_changed(entry.stat(follow_symlinks=False).st_mtime)
        else:
            sub.declared = _declared_candidate(data, sub.notes)
    for task in tasks:
        sub.answers.setdefault(task, refused.get(
            task, NotRead(f"no answers/{task}.sql in the submission", handed_in=False)))
    return sub


def _declared_candidate(data: bytes, notes: list[str]) -> str | None:
    if len(data) > MAX_MANIFEST_BYTES:
        notes.append(f"manifest.json is not read: larger than {MAX_MANIFEST_BYTES:,} bytes")
        return None
    try:
        value = json.loads(data).get("candidate")
    except (ValueError, AttributeError):
        return None
    return escape_name(value[:200]) if isinstance(value, str) else None


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
    sub = Submission(escape_name(path.stem), {})
    try:
        with open_regular(path) as handle, zipfile.ZipFile(handle) as archive:
            _read_zip_answers(archive, tasks, sub)
    except (Unreadable, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        sub.answers = dict.fromkeys(tasks, NotRead(f"the zip file cannot be opened ({exc})"))
    return sub


def _read_zip_answers(archive: zipfile.ZipFile, tasks: list[str], sub: Submission) -> None:
    wanted = _answer_names(tasks)
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    if len(infos) > MAX_ZIP_ENTRIES or total > MAX_ZIP_TOTAL_BYTES:
        reason = (f"the zip holds {len(infos):,} entries and {total:,} bytes uncompressed; "
                  f"the limits are {MAX_ZIP_ENTRIES:,} and {MAX_ZIP_TOTAL_BYTES:,}")
        sub.answers = dict.fromkeys(tasks, NotRead(reason))
        return
    found: dict[str, list[tuple[int, zipfile.ZipInfo]]] = {}
    refused: dict[str, NotRead] = {}
    for info in infos:
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        unsafe = _unsafe_entry(info)
        if unsafe:
            sub.notes.append(f"skipped zip entry {escape_name(info.filename)}: {unsafe}")
            if parts and parts[-1] in wanted:  # handed in, but never opened: an error
                refused.setdefault(wanted[parts[-1]], NotRead(
                    f"{escape_name(info.filename)} is not read: {unsafe}"))
            continue
        if info.is_dir() or len(parts) > MAX_DEPTH:
            continue
        if len(parts) <= 2 and parts[-1] == "manifest.json" \
                and info.file_size <= MAX_MANIFEST_BYTES:
            with archive.open(info) as handle:
                sub.declared = _declared_candidate(handle.read(MAX_MANIFEST_BYTES + 1),
                                                   sub.notes)
        if len(parts) >= 2 and parts[-2] == "answers" and parts[-1] in wanted:
            found.setdefault(wanted[parts[-1]], []).append((len(parts), info))
    for task in tasks:
        options = sorted(found.get(task, []), key=lambda item: item[0])
        info = options[0][1] if options else None
        if info is None:
            sub.answers[task] = refused.get(
                task, NotRead(f"no answers/{task}.sql in the zip", handed_in=False))
        elif info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1) \
                and info.file_size > 10_000:
            sub.answers[task] = NotRead(f"answers/{task}.sql is compressed {info.file_size:,} "
                                        f"-> {info.compress_size:,} bytes: refused as a zip bomb")
        else:
            try:
                with archive.open(info) as handle:  # sizes in headers can lie: cap the read
                    sub.answers[task] = handle.read(MAX_ANSWER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError,
                    EOFError, ValueError) as exc:
                sub.answers[task] = NotRead(f"answers/{task}.sql cannot be read from the zip "
                                            f"({exc})")
                continue
            changed = zip_entry_changed(info)
            if changed:
                sub.changed[task] = changed


def find_submissions(folder: Path, tasks: list[str]) -> tuple[list[Submission], list[str]]:
    """Candidate folders and zips in ``folder``; notes on everything else found there."""
    subs: dict[str, Submission] = {}
    notes = []
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda e: e.name)
    for entry in entries:
        name, path = escape_name(entry.name), Path(entry.path)
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            subs[name] = read_folder(path, tasks)
            continue
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:  # gone since the folder was listed
            notes.append(f"skipped {name}: {exc.strerror or exc}")
            continue
        if not entry.name.lower().endswith(".zip") or not stat.S_ISREG(mode):
            what = "neither a folder nor a .zip" if stat.S_ISREG(mode) else file_kind(mode)
            notes.append(f"skipped {name}: {what}")
            continue
        sub = read_zip(path, tasks)
        if sub.name in subs:
            notes.append(f"skipped {name}: the folder {sub.name}/ is graded instead")
            continue
        subs[sub.name] = sub
    return list(subs.values()), notes


@dataclass
class Intake:
    """What reading a submissions folder gave: one job per (candidate, task), notes per
    candidate, notes on the folder itself, and integrity flags raised while reading."""

    jobs: list[Job]
    notes: dict[str, list[str]]
    folder_notes: list[str]
    flags: list[Flag]


def collect_jobs(manifest: Manifest, manifest_dir: Path, submissions_dir: Path) -> Intake:
    """One job per (candidate, task): every manifest candidate and every submission.

    A submission is its candidate by the name the grader found it under, nothing else: a
    ``manifest.json`` inside naming someone else is flagged for a human, so that one
    candidate's folder can never take another's place. With a deadline in the manifest,
    each answer changed after it is flagged too (never a penalty).
    """
    tasks = manifest.task_ids
    known = {entry.id for entry in manifest.candidates}
    subs, folder_notes = find_submissions(submissions_dir, tasks)
    matched = {sub.name: sub for sub in subs}
    notes = {sub.name: list(sub.notes) for sub in subs}
    flags = [Flag(FlagKind.FOREIGN_MANIFEST, sub.name, None,
                  f"its manifest.json names the candidate {sub.declared}: another candidate's "
                  f"bundle? Graded as {sub.name}, the name it was handed in under")
             for sub in subs if sub.declared is not None and sub.declared != sub.name]
    deadline = manifest.deadline_at
    if deadline is not None:
        for sub in subs:
            flags += late_flags(sub.name, sub.changed, deadline, tasks)
    for name in matched:
        if not manifest.shared and name not in known:
            notes[name].append("not a candidate of this take-home (no own world to compare)")
    order = [] if manifest.shared else [entry.id for entry in manifest.candidates]
    order += sorted(n for n in matched if n not in order)
    jobs = []
    for candidate in order:
        sub = matched.get(candidate)
        if sub is None:
            notes.setdefault(candidate, []).append("no submission found")
        answers = sub.answers if sub else dict.fromkeys(
            tasks, NotRead("no submission found", handed_in=False))
        jobs += candidate_jobs(candidate, answers, manifest, manifest_dir)
    return Intake(jobs, notes, folder_notes, flags)


def candidate_jobs(candidate: str, answers: dict[str, bytes | NotRead], manifest: Manifest,
                   manifest_dir: Path) -> list[Job]:
    """The jobs for one candidate's answers (bytes, or why there are none) to every task,
    each naming the drill to grade it with; with the candidate's bundle, they carry its
    world for the own-world check."""
    bundle = manifest.bundle_of(candidate)
    world = bundle.world_file(manifest_dir) if bundle else None
    catalog = manifest.catalog_dir()
    jobs = []
    for task in manifest.challenges:
        job = _job(candidate, task.id, answers.get(task.id, NotRead("no answer", False)))
        if bundle:
            job.seed, job.world_scale = bundle.seed, manifest.bundle_scale or manifest.scale
            job.world_file = str(world) if world else None
        job.drill, job.catalog = task.drill_id, catalog
        jobs.append(job)
    return jobs


def _job(candidate: str, task: str, found: bytes | NotRead) -> Job:
    job = Job(candidate, task, "")
    if isinstance(found, NotRead):
        job.verdict = Outcome.ERROR if found.handed_in else Outcome.NOT_ATTEMPTED
        job.reason = found.reason
        job.answer_sha = f"{job.verdict}:" + hashlib.sha256(found.reason.encode()).hexdigest()[:16]
        return job
    job.answer_sha = hashlib.sha256(found).hexdigest()[:32]
    job.sql, reason = decode_answer(found)
    if reason:
        job.verdict = Outcome.NOT_ATTEMPTED if reason == UNTOUCHED else Outcome.ERROR
        job.reason, job.sql = reason, None
    return job


def read_answers_dir(folder: Path, tasks: list[str]) -> dict[str, bytes | NotRead]:
    """``<task>.sql`` (or ``answers/<task>.sql``) in one folder: single-answer mode."""
    answers: dict[str, bytes | NotRead] = {}
    for task in tasks:
        refused = []
        for path in (folder / f"{task}.sql", folder / "answers" / f"{task}.sql"):
            if not os.path.lexists(path):
                continue
            try:
                answers[task] = read_regular(path, MAX_ANSWER_BYTES)
                break
            except Unreadable as exc:
                refused.append(f"{escape_name(str(path.relative_to(folder)))} is not read: {exc}")
        else:
            answers[task] = (NotRead("; ".join(refused)) if refused else
                             NotRead(f"no {task}.sql in {escape_name(folder.name)}/", False))
    return answers
