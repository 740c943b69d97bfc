"""Read submissions: one job per (candidate, task) from a folder of candidate folders and/or
zips, read defensively.

Nothing is extracted, no symbolic link is followed and nothing but a regular file is
opened: a named pipe or a device never blocks or floods the run. Every walk is bounded
(depth, entries) and every read capped. A candidate is who the grader found (the folder or
zip name), never what a file inside claims. Names of any bytes are kept as escaped text
(:func:`escape_name`). Missing, empty, non-UTF-8 and oversized answers, unsafe entries and
bomb-like zips become an ``error`` or ``skipped`` job with a reason instead of stopping the
run.
"""

from __future__ import annotations

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
from sqldrills.takehome.manifest import BundleEntry, Manifest
from sqldrills.takehome.records import Flag, FlagKind, Outcome

MAX_ANSWER_BYTES = 1_000_000
MAX_MANIFEST_BYTES = 100_000  # a bundle manifest.json inside a submission
MAX_ZIP_TOTAL_BYTES = 200_000_000  # declared uncompressed size of all entries
MAX_ZIP_RATIO = 200  # uncompressed / compressed, per entry
MAX_ZIP_ENTRIES = 10_000
MAX_DEPTH = 32  # folder levels searched inside a submission (a bundle needs 3)
MAX_FILES = 10_000  # directory entries looked at inside one submission folder



def escape_name(name: str) -> str:
    r"""A file or folder name as text safe everywhere (reports, JSON, CSV, HTML, terminal):
    bytes that are not UTF-8 (``os.fsdecode``'s surrogates) become ``\xff``, control and
    invisible characters their ``repr`` escape, and the backslash ``\\``, so two names
    never read the same.

    >>> escape_name(os.fsdecode(b"caf\xc3\xa9 \xff")), escape_name("a\x1b]0;x\x07\u202e\\")
    ('café \\xff', 'a\\x1b]0;x\\x07\\u202e\\\\')
    """
    return "".join(_escape_char(char) for char in name)


def _escape_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte that was not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    if char == "\\":
        return "\\\\"
    return char if char.isprintable() else repr(char)[1:-1]


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
    """What was found for one candidate: answer bytes (or why not) per task, and notes.

    ``name`` is the escaped folder or zip name: the candidate's identity. ``declared`` is
    the candidate a bundle ``manifest.json`` inside names, compared, never trusted.
    """

    name: str
    answers: dict[str, bytes | str]  # task -> bytes, or the reason there is none
    notes: list[str] = field(default_factory=list)
    declared: str | None = None


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
    refused: dict[str, str] = {}
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
                refused.setdefault(task, f"{_shown(parts)} is not read: {exc}")
            continue
        if task:
            sub.answers[task] = data
        else:
            sub.declared = _declared_candidate(data, sub.notes)
    for task in tasks:
        sub.answers.setdefault(task, refused.get(task, f"no answers/{task}.sql in the submission"))
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
        sub.answers = dict.fromkeys(tasks, f"the zip file cannot be opened ({exc})")
    return sub


def _read_zip_answers(archive: zipfile.ZipFile, tasks: list[str], sub: Submission) -> None:
    wanted = _answer_names(tasks)
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    if len(infos) > MAX_ZIP_ENTRIES or total > MAX_ZIP_TOTAL_BYTES:
        reason = (f"the zip holds {len(infos):,} entries and {total:,} bytes uncompressed; "
                  f"the limits are {MAX_ZIP_ENTRIES:,} and {MAX_ZIP_TOTAL_BYTES:,}")
        sub.answers = dict.fromkeys(tasks, reason)
        return
    found: dict[str, list[tuple[int, zipfile.ZipInfo]]] = {}
    for info in infos:
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        unsafe = _unsafe_entry(info)
        if unsafe:
            sub.notes.append(f"skipped zip entry {escape_name(info.filename)}: {unsafe}")
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
            sub.answers[task] = f"no answers/{task}.sql in the zip"
        elif info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1) \
                and info.file_size > 10_000:
            sub.answers[task] = (f"answers/{task}.sql is compressed {info.file_size:,} -> "
                                 f"{info.compress_size:,} bytes: refused as a zip bomb")
        else:
            try:
                with archive.open(info) as handle:  # sizes in headers can lie: cap the read
                    sub.answers[task] = handle.read(MAX_ANSWER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError,
                    EOFError, ValueError) as exc:
                sub.answers[task] = f"answers/{task}.sql cannot be read from the zip ({exc})"


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
    candidate's folder can never take another's place.
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
        answers = sub.answers if sub else dict.fromkeys(tasks, "no submission found")
        jobs += candidate_jobs(candidate, answers, tasks, manifest.bundle_of(candidate),
                               manifest_dir)
    return Intake(jobs, notes, folder_notes, flags)


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
            answers[task] = "; ".join(refused) or f"no {task}.sql in {escape_name(folder.name)}/"
    return answers
