"""Graded take-home exercises: build one bundle per candidate, grade a folder of submissions.

The flow (issue 5):

* :func:`build_bundles` writes, per candidate, a folder and a zip with the prompts, the
  candidate's own world (DuckDB and Parquet), answer stubs and a ``manifest.json``; and a
  top-level ``manifest.json`` for the grader. A candidate's seed is derived from a bundle
  secret and the candidate id, and never equals a hidden world's seed. No reference, trap
  or hint travels in a bundle.
* :func:`collect_jobs` turns a folder of candidate folders and/or zips into one job per
  (candidate, task), reading answers defensively: missing, empty, non-UTF-8 and oversized
  answers, unsafe or bomb-like zips become ``error`` or ``skipped`` with a reason.
* :func:`run_jobs` grades the jobs in a process pool with ``grade()`` (the hidden worlds)
  and appends one fsync'd JSON line per answer to a results log, so an interrupted run
  resumes where it stopped.
* :func:`score` applies a rubric and the integrity signals and returns a :class:`Cohort`,
  which ``sqldrills.takehome.reports`` writes out.

Grading outcomes are stored without points: points come from the rubric when the reports
are written, so a changed rubric never needs a regrade.
"""

from __future__ import annotations

import concurrent.futures
import difflib
import functools
import hashlib
import hmac
import json
import multiprocessing
import os
import re
import secrets
import shutil
import stat
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqldrills import __version__
from sqldrills.catalog.challenges import Challenge, get
from sqldrills.grading.values import to_json
from sqldrills.paths import write_atomic
from sqldrills.world.cache import (
    WorldSpec,
    build_to,
    default_scale,
    export_parquet,
    hidden_worlds,
    practice_world,
)
from sqldrills.world.schema import TABLES

MANIFEST_KIND = "sqldrills-takehome"
SHARED_ID = "takehome"  # the folder name of the one bundle built without --candidates
RESULTS_LOG = "results.jsonl"
OUTCOMES = ("correct", "misleading", "invalid", "error", "skipped")

MAX_ANSWER_BYTES = 1_000_000
MAX_ZIP_TOTAL_BYTES = 200_000_000  # declared uncompressed size of all entries
MAX_ZIP_RATIO = 200  # uncompressed / compressed, per entry
MAX_ZIP_ENTRIES = 10_000
SHOWN_ANSWER_CHARS = 20_000  # of an answer kept in the log for the reports
SIMILARITY_THRESHOLD = 0.9

_CANDIDATE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")


class TakehomeError(ValueError):
    """Bad input to build or grade (manifest, candidates file, rubric); one line to fix it."""


# ------------------------------------------------------------------------------ build
def candidate_seed(secret: str, candidate: str, forbidden: set[int]) -> int:
    """The candidate's world seed: a keyed hash of the id, moved off every forbidden seed.

    >>> candidate_seed("s3cret", "ada", set()) == candidate_seed("s3cret", "ada", set())
    True
    >>> seed = candidate_seed("s3cret", "ada", set())
    >>> candidate_seed("s3cret", "ada", {seed}) != seed
    True
    """
    digest = hmac.new(secret.encode(), candidate.encode(), hashlib.sha256).digest()
    seed = 10_000 + int.from_bytes(digest[:4], "big") % 2_000_000_000
    while seed in forbidden:
        seed += 1
    return seed


def reserved_seeds(challenges: Iterable[Challenge], scale: str) -> set[int]:
    """Seeds a candidate world must not use: the practice world's and every hidden world's."""
    seeds = {practice_world(scale).seed}
    for challenge in challenges:
        seeds |= {spec.seed for spec in hidden_worlds(scale, extra=list(challenge.worlds))}
    return seeds


def read_candidates(path: Path) -> list[str]:
    """Candidate ids from a CSV file with a ``candidate`` column (other columns are ignored)."""
    import csv

    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "candidate" not in reader.fieldnames:
            raise TakehomeError(f"{path}: needs a header row with a 'candidate' column")
        ids = [(row.get("candidate") or "").strip() for row in reader]
    ids = [i for i in ids if i]
    bad = [i for i in ids if not _CANDIDATE_ID.match(i)]
    if bad:
        raise TakehomeError(f"{path}: unusable candidate id(s) {', '.join(map(repr, bad[:5]))}: "
                            "use letters, digits and _ . @ + -")
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise TakehomeError(f"{path}: duplicate candidate id(s) {', '.join(duplicates)}")
    if not ids:
        raise TakehomeError(f"{path}: no candidates")
    return ids


def output_contract(challenge: Challenge) -> str:
    """The output contract of a task, as a candidate reads it in the README."""
    order = (f"rows ordered by {', '.join(challenge.sort_keys)}" if challenge.ordered
             else "row order does not matter")
    return (f"columns {', '.join(f'`{c}`' for c in challenge.columns)} "
            f"({challenge.grain}); {order}; numbers within a relative tolerance of "
            f"{challenge.tolerance:g}")


def answer_stub(challenge: Challenge) -> str:
    return (f"-- {challenge.title}\n"
            f"-- Output: {', '.join(challenge.columns)}\n"
            f"-- Replace this comment block with ONE read-only query (SELECT or WITH ...).\n\n")


def readme(challenges: list[Challenge], candidate: str | None, scale: str) -> str:
    who = f" for {candidate}" if candidate else ""
    tasks = "\n".join(
        f"{i}. **{c.title}** — `tasks/{c.id}.md`, answer in `answers/{c.id}.sql`.\n"
        f"   Output contract: {output_contract(c)}."
        for i, c in enumerate(challenges, start=1))
    tables = ", ".join(f"`{t}`" for t in TABLES)
    return f"""# SQL take-home{who}

You get the warehouse of a subscription streaming service and {len(challenges)} questions.
Answer each question with one SQL query.

## Tasks

{tasks}

## Your data

- `data/world.duckdb`: a DuckDB database with the tables {tables}.
  Open it with `duckdb data/world.duckdb` or from Python with
  `duckdb.connect("data/world.duckdb", read_only=True)`.
- `data/parquet/<table>.parquet`: the same tables as Parquet files, for any other tool.
- All timestamps are UTC (`*_ts_utc`). The world's "now" is `dataset_info.as_of_ts_utc`;
  use it instead of the current date.

## Rules

- Write each answer in `answers/<task>.sql`: exactly one read-only query in DuckDB SQL
  (`SELECT`, `WITH ... SELECT`, `UNION`, ...). Nothing else runs: no `CREATE`, no file
  access, no extensions.
- Return exactly the columns the task names (rename with `AS`). Extra or missing columns
  make the answer invalid.
- Work alone. Answers are compared with each other after normalisation.
- Hand back the whole folder (or a zip of it) with your answers in `answers/`.

## How answers are checked

Your queries are run, in a sandbox with a time limit of a few seconds per query, on
**other datasets** than yours: same tables and the same kinds of data, other random
draws, other "now" dates. Their results are compared with the expected results on
each of those datasets: columns by name, rows as a set unless the task asks for an
order, numbers within the stated tolerance, NULL equal to NULL. A query that is right
only on your data (or that hard-codes numbers) is wrong. Each answer gets one of
`correct`, `misleading` (runs, wrong numbers), `invalid` (wrong columns) or `error`
(does not run), and the report names the mistake when it is a known one.

This bundle was built with sqldrills {__version__} at scale `{scale}`.
"""


def _zip_folder(folder: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, PurePosixPath(folder.name, *path.relative_to(folder).parts))
    os.replace(tmp, target)


def _challenge_entries(challenges: list[Challenge]) -> list[dict[str, Any]]:
    return [{"id": c.id, "title": c.title, "content_hash": c.content_hash,
             "columns": list(c.columns)} for c in challenges]


def build_bundles(
    challenge_ids: list[str],
    out: Path,
    candidates: list[str] | None = None,
    *,
    scale: str | None = None,
    secret: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Write the bundles and the grading manifest into ``out``; return the manifest."""
    scale = scale or default_scale()
    challenges = [get(cid) for cid in challenge_ids]
    if len(set(challenge_ids)) != len(challenge_ids):
        raise TakehomeError("a challenge is listed twice in --challenges")
    secret = secret or secrets.token_hex(16)
    forbidden = reserved_seeds(challenges, scale)
    ids = candidates or [SHARED_ID]
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for done, candidate in enumerate(ids):
        if progress:
            progress(candidate, done, len(ids))
        seed = candidate_seed(secret, candidate, forbidden)
        folder = out / candidate
        if folder.exists():
            shutil.rmtree(folder)
        (folder / "data").mkdir(parents=True)
        build_to(WorldSpec(seed, scale), folder / "data" / "world.duckdb")
        export_parquet(folder / "data" / "world.duckdb", folder / "data" / "parquet")
        for challenge in challenges:
            write_atomic(folder / "tasks" / f"{challenge.id}.md", challenge.prompt)
            write_atomic(folder / "answers" / f"{challenge.id}.sql", answer_stub(challenge))
        write_atomic(folder / "README.md",
                     readme(challenges, None if candidates is None else candidate, scale))
        bundle_manifest = {
            "kind": f"{MANIFEST_KIND}-bundle", "candidate": None if candidates is None else candidate,
            "seed": seed, "scale": scale, "sqldrills_version": __version__,
            "challenges": _challenge_entries(challenges),
        }
        write_atomic(folder / "manifest.json", json.dumps(bundle_manifest, indent=2) + "\n")
        _zip_folder(folder, out / f"{candidate}.zip")
        entries.append({"id": candidate, "seed": seed, "folder": candidate,
                        "zip": f"{candidate}.zip"})
    if progress:
        progress("done", len(ids), len(ids))
    manifest = {
        "kind": MANIFEST_KIND, "format": 1, "sqldrills_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": scale, "shared": candidates is None, "secret": secret,
        "challenges": _challenge_entries(challenges), "candidates": entries,
    }
    write_atomic(out / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TakehomeError(f"cannot read the manifest {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") != MANIFEST_KIND:
        raise TakehomeError(f"{path} is not a take-home manifest (use the manifest.json at "
                            "the top of `sqldrills takehome build --out`, not a bundle's)")
    return data


# ------------------------------------------------------------------- reading answers
@dataclass
class Job:
    """One answer to grade, or an outcome already decided while reading it."""

    candidate: str
    task: str
    answer_sha: str
    sql: str | None = None  # None when ``verdict`` is already decided
    verdict: str | None = None  # "error" | "skipped" when decided while reading
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
    return value if isinstance(value, str) and _CANDIDATE_ID.match(value) else None


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
    manifest: dict[str, Any], manifest_dir: Path, submissions_dir: Path
) -> tuple[list[Job], dict[str, list[str]], list[str]]:
    """One job per (candidate, task): every manifest candidate and every submission.

    Returns the jobs, notes per candidate and notes about the submissions folder.
    """
    tasks = [c["id"] for c in manifest["challenges"]]
    by_id = {c["id"]: c for c in manifest["candidates"]}
    subs, folder_notes = find_submissions(submissions_dir, tasks)
    shared = manifest.get("shared", False)
    matched: dict[str, Submission] = {}
    notes: dict[str, list[str]] = {}
    for sub in subs:
        name = sub.name
        if not shared and name not in by_id and sub.declared_candidate in by_id:
            name = sub.declared_candidate
        if name in matched:
            folder_notes.append(f"skipped {sub.name}: a second submission for {name}")
            continue
        matched[name] = sub
        notes[name] = list(sub.notes)
        if not shared and name not in by_id:
            notes[name].append("not a candidate of this take-home (no own world to compare)")
    order = [] if shared else [c["id"] for c in manifest["candidates"]]
    order += sorted(n for n in matched if n not in order)
    jobs = []
    for candidate in order:
        entry = by_id.get(SHARED_ID if shared else candidate)
        seed = entry["seed"] if entry else None
        world = manifest_dir / entry["folder"] / "data" / "world.duckdb" if entry else None
        sub = matched.get(candidate)
        if sub is None:
            notes.setdefault(candidate, []).append("no submission found")
        for task in tasks:
            found = sub.answers.get(task, "no answer") if sub else "no submission found"
            jobs.append(make_job(candidate, task, found, seed,
                                 world if world and world.is_file() else None))
    return jobs, notes, folder_notes


def make_job(candidate: str, task: str, found: bytes | str, seed: int | None = None,
             world: Path | None = None) -> Job:
    """The job for one answer's bytes, or for the reason (a str) there is no answer."""
    job = Job(candidate, task, "", seed=seed, world_file=str(world) if world else None)
    if isinstance(found, str):
        job.verdict, job.reason = "skipped", found
        job.answer_sha = "skipped:" + hashlib.sha256(found.encode()).hexdigest()[:16]
        return job
    job.answer_sha = hashlib.sha256(found).hexdigest()[:32]
    job.sql, reason = decode_answer(found)
    if reason:
        job.verdict, job.reason, job.sql = "error", reason, None
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


# ------------------------------------------------------------------------- grading
@functools.lru_cache(maxsize=64)
def _challenge(task: str) -> Challenge:
    return get(task)


def own_world_status(challenge: Challenge, sql: str, world: Path,
                     timeout_s: float) -> str:
    """``match`` when the answer equals the reference on the candidate's own world."""
    from sqldrills.grading.compare import Table, same_result
    from sqldrills.grading.grade import REFERENCE_LIMITS
    from sqldrills.grading.sandbox import Limits, QueryFailure, run_query, run_user_sql

    reference = run_query(challenge.reference, [world], limits=REFERENCE_LIMITS)[0]
    answer = run_user_sql(sql, [world], limits=Limits(timeout_s=timeout_s))[0]
    if isinstance(reference, QueryFailure) or isinstance(answer, QueryFailure):
        return "error"
    same = same_result(Table(list(reference.columns), list(reference.rows)),
                       Table(list(answer.columns), list(answer.rows)),
                       ordered=challenge.ordered, sort_keys=challenge.sort_keys,
                       tolerance=challenge.tolerance)
    return "match" if same else "differs"


def _counterexample(result: Any) -> dict[str, Any] | None:
    failing = next((w for w in result.worlds if w.diffs), None)
    if failing is None or result.verdict != "misleading":
        return None
    return {"world": failing.world, "description": failing.description,
            "diffs": failing.diffs[:5]}


def grade_job(job: Job, timeout_s: float, scale: str, threads: int,
              secret: str | None = None) -> dict[str, Any]:
    """Grade one answer on the challenge's hidden worlds (runs in a pool worker); with the
    bundle's ``secret``, on worlds whose seeds derive from it and appear nowhere public."""
    if job.sql is None:
        return _base_record(job)
    return grade_jobs([job], timeout_s, scale, threads, secret)[0]


def grade_jobs(jobs: list[Job], timeout_s: float, scale: str, threads: int,
               secret: str | None = None) -> list[dict[str, Any]]:
    """Grade answers to one task that are the same bytes once, and give each candidate its
    own record (runs in a pool worker).

    Grading is deterministic: the same query on the same worlds under the same limits
    gets the same verdict, so running it again for the next candidate would only cost
    time. What depends on the candidate (the own-world integrity check) is still done per
    candidate.
    """
    from sqldrills.grading.grade import grade
    from sqldrills.grading.sandbox import Limits

    first = jobs[0]
    assert first.sql is not None and all(j.task == first.task and j.sql == first.sql for j in jobs)
    challenge = _challenge(first.task)
    result = grade(challenge, first.sql, limits=Limits(timeout_s=timeout_s, threads=threads),
                   scale=scale, secret=secret)
    graded = dict(
        verdict=result.verdict, pitfall=result.pitfall, pitfall_name=result.pitfall_name,
        message=result.message, order_only=result.order_only, elapsed_ms=result.elapsed_ms,
        worlds=[{"world": w.world, "status": w.status, "summary": w.summary}
                for w in result.worlds],
        counterexample=_counterexample(result),
        warnings=[f"{w['rule']} {w['name']}: {w['message']}" for w in result.warnings],
        columns=list(challenge.columns),
    )
    records = []
    own_world: dict[Path, str] = {}  # candidates of a shared bundle share one world
    for job in jobs:
        record = {**_base_record(job), **graded}
        # An answer that reproduces a known trap on every world is a general mistake, not
        # an overfit to the candidate's data: only unexplained wrong answers pay for this.
        if result.verdict == "misleading" and result.pitfall is None and job.seed is not None:
            world = Path(job.world_file) if job.world_file else None
            if world is None:
                from sqldrills.world.cache import world_path

                world = world_path(WorldSpec(job.seed, scale))
            if world not in own_world:
                own_world[world] = own_world_status(challenge, first.sql, world, timeout_s)
            record["own_world"] = own_world[world]
        records.append(to_json(record))
    return records


def _base_record(job: Job) -> dict[str, Any]:
    return {
        "candidate": job.candidate, "task": job.task, "answer_sha": job.answer_sha,
        "verdict": job.verdict, "reason": job.reason, "pitfall": None, "pitfall_name": None,
        "message": job.reason or "", "order_only": False, "elapsed_ms": 0.0, "worlds": [],
        "counterexample": None, "warnings": [], "own_world": None,
        "answer": job.sql[:SHOWN_ANSWER_CHARS] if job.sql else None,
    }


def _crashed_record(job: Job, exc: BaseException) -> dict[str, Any]:
    record = _base_record(job)
    reason = f"the grader failed on this answer ({type(exc).__name__}: {exc})"
    record.update(verdict="error", reason=reason, message=reason)
    return record


class ResultsLog:
    """One JSON line per graded answer, appended and fsync'd; a torn last line is dropped."""

    def __init__(self, path: Path, resume: bool) -> None:
        self.path = path
        self.records: list[dict[str, Any]] = []
        if resume and path.exists():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # the line a killed run was writing
                if isinstance(record, dict) and "answer_sha" in record:
                    self.records.append(record)
        # Rewrite what survived so the next append never lands after a torn line.
        write_atomic(path, "".join(json.dumps(r) + "\n" for r in self.records))

    def done(self) -> set[tuple[str, str, str]]:
        return {(r["candidate"], r["task"], r["answer_sha"]) for r in self.records}

    def append(self, record: dict[str, Any]) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.records.append(record)

    def latest(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r["candidate"], r["task"]): r for r in self.records}


def run_jobs(
    jobs: list[Job],
    log: ResultsLog,
    *,
    workers: int = 1,
    timeout_s: float = 10.0,
    scale: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    secret: str | None = None,
) -> int:
    """Grade every job not in the log yet; return how many were graded now."""
    scale = scale or default_scale()
    done = log.done()
    todo = [job for job in jobs if job.key not in done]
    decided = [job for job in todo if job.sql is None]
    pending = [job for job in todo if job.sql is not None]
    for job in decided:
        log.append(_base_record(job))
    total, count = len(todo), len(decided)
    if progress:
        progress("grading", count, total)
    threads = max(1, (os.cpu_count() or 1) // max(workers, 1))
    # Answers to a task that are the same bytes are graded once (grade_jobs): candidates
    # who paste the same query, or hand in the untouched stub, cost one grading.
    groups: dict[tuple[str, str], list[Job]] = {}
    for job in pending:
        groups.setdefault((job.task, job.answer_sha), []).append(job)
    pending_groups = list(groups.values())
    # A worker that dies (a crash in a native library) breaks the pool: the unfinished
    # groups go to a fresh pool once; one that breaks a second pool is recorded as an error.
    for attempt in range(2):
        if not pending_groups:
            break
        broken: list[list[Job]] = []
        context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has imported the grader once (duckdb, sqlglot).
        context.set_forkserver_preload(["duckdb", "sqldrills.grading.grade", "sqldrills.lint",
                                        "sqldrills.grading.sqlcheck", "sqldrills.takehome.core"])
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers,
                                                    mp_context=context) as pool:
            futures = {pool.submit(grade_jobs, group, timeout_s, scale, threads, secret): group
                       for group in pending_groups}
            try:
                for future in concurrent.futures.as_completed(futures):
                    group = futures[future]
                    try:
                        records = future.result()
                    except concurrent.futures.process.BrokenProcessPool as exc:
                        if attempt == 0:
                            broken.append(group)
                            continue
                        records = [_crashed_record(job, exc) for job in group]
                    except Exception as exc:  # noqa: BLE001 - one answer never stops the batch
                        records = [_crashed_record(job, exc) for job in group]
                    for job, record in zip(group, records, strict=True):
                        log.append(record)
                        count += 1
                        if progress:
                            progress(f"{job.candidate}/{job.task}", count, total)
            except BaseException:
                # The log cannot be written (a full disk) or we are interrupted: grade no
                # more answers whose results would be lost; --resume picks up from the log.
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        pending_groups = broken
    return total


# ------------------------------------------------------------------------- scoring
@dataclass(frozen=True)
class Rubric:
    """Points per task and the share of them each outcome earns.

    ``credit`` maps an outcome (``correct``, ``order_only``, ``misleading``, ``invalid``,
    ``error``, ``skipped``) to a fraction of the task's points; ``pitfall_credit`` maps
    ``(task, pitfall)`` to a fraction that replaces ``misleading``'s.
    """

    default_points: float = 10.0
    points: dict[str, float] = field(default_factory=dict)
    credit: dict[str, float] = field(default_factory=lambda: {
        "correct": 1.0, "order_only": 0.5, "misleading": 0.0, "invalid": 0.0,
        "error": 0.0, "skipped": 0.0})
    pitfall_credit: dict[tuple[str, str], float] = field(default_factory=dict)

    def max_points(self, task: str) -> float:
        return self.points.get(task, self.default_points)

    def award(self, record: dict[str, Any]) -> float:
        verdict = record["verdict"]
        share = self.credit[verdict]
        if verdict == "misleading":
            if record.get("order_only"):
                share = self.credit["order_only"]
            share = self.pitfall_credit.get((record["task"], record.get("pitfall") or ""), share)
        return round(share * self.max_points(record["task"]), 4)


_RUBRIC_KEYS = {"points", "credit", "tasks"}
_TASK_KEYS = {"points", "pitfalls"}
_CREDIT_KEYS = {"correct", "order_only", "misleading", "invalid", "error", "skipped"}


def _fraction(value: Any, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise TakehomeError(f"{where}: must be a number from 0 to 1")
    return float(value)


def _points(value: Any, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise TakehomeError(f"{where}: must be a number of points >= 0")
    return float(value)


def _known_keys(data: dict[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise TakehomeError(f"{where}: unknown key(s) {', '.join(unknown)} "
                            f"(known: {', '.join(sorted(known))})")


def load_rubric(path: Path | None, tasks: list[str]) -> Rubric:
    """The rubric in ``path`` (TOML, validated strictly), or the default one.

    >>> load_rubric(None, ["a"]).award({"task": "a", "verdict": "misleading", "order_only": True})
    5.0
    """
    if path is None:
        return Rubric()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TakehomeError(f"cannot read the rubric {path}: {exc}") from None
    where = str(path)
    _known_keys(data, _RUBRIC_KEYS, where)
    default = Rubric()
    credit = dict(default.credit)
    _known_keys(data.get("credit", {}), _CREDIT_KEYS, f"{where} [credit]")
    for key, value in data.get("credit", {}).items():
        credit[key] = _fraction(value, f"{where} credit.{key}")
    points, pitfall_credit = {}, {}
    for task, spec in data.get("tasks", {}).items():
        if task not in tasks:
            raise TakehomeError(f"{where}: [tasks.{task}] is not a task of this take-home "
                                f"({', '.join(tasks)})")
        _known_keys(spec, _TASK_KEYS, f"{where} [tasks.{task}]")
        if "points" in spec:
            points[task] = _points(spec["points"], f"{where} tasks.{task}.points")
        challenge = _challenge(task)
        for pitfall, value in spec.get("pitfalls", {}).items():
            if challenge.trap(pitfall) is None:
                raise TakehomeError(f"{where}: {task} has no pitfall {pitfall!r} "
                                    f"({', '.join(t.id for t in challenge.traps)})")
            pitfall_credit[(task, pitfall)] = _fraction(
                value, f"{where} tasks.{task}.pitfalls.{pitfall}")
    default_points = _points(data.get("points", default.default_points), f"{where} points")
    return Rubric(default_points, points, credit, pitfall_credit)


def normalise_sql(sql: str) -> list[str]:
    """Tokens of ``sql`` with literals and non-schema names canonicalised.

    Aliases and CTE names become ``n1, n2, ...`` in order of appearance and literals
    become ``?``: renaming aliases or tweaking constants does not hide a copy.

    >>> normalise_sql("SELECT x.a AS foo FROM t AS x WHERE b = 3") == \\
    ...     normalise_sql("select y.a as bar from t y where b = 7")
    True
    """
    import sqlglot
    from sqlglot import exp

    schema_names = set(TABLES) | {c.name for cols in TABLES.values() for c in cols}
    renames: dict[str, str] = {}

    def canonical(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Literal):
            return exp.Literal(this="?", is_string=node.is_string)
        if isinstance(node, exp.Identifier):
            name = node.name.lower()
            if name in schema_names:
                return exp.to_identifier(name)
            return exp.to_identifier(renames.setdefault(name, f"n{len(renames) + 1}"))
        return node

    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
        text = tree.transform(canonical).sql(dialect="duckdb", normalize=True)
    except Exception:  # noqa: BLE001 - unparseable answers are compared as plain text
        text = " ".join(re.sub(r"--[^\n]*", "", sql).lower().split())
    return re.findall(r"\w+|[^\w\s]", text)


def similar_pairs(answers: dict[str, str], threshold: float = SIMILARITY_THRESHOLD
                  ) -> list[tuple[str, str, float]]:
    """Pairs of candidates whose normalised answers are near-identical, most similar first.

    Each distinct answer is normalised once, and each pair of distinct normalised answers
    compared once: a query that many candidates share costs one comparison, not one per
    pair of them.
    """
    by_text: dict[str, list[str]] = {}
    for who, sql in answers.items():
        by_text.setdefault(sql, []).append(who)
    by_tokens: dict[tuple[str, ...], list[str]] = {}
    for sql, people in by_text.items():
        by_tokens.setdefault(tuple(normalise_sql(sql)), []).extend(people)
    groups = [(tokens, sorted(people)) for tokens, people in by_tokens.items()]
    pairs = []
    for i, (tokens, people) in enumerate(groups):
        pairs += [(a, b, 1.0) for j, a in enumerate(people) for b in people[j + 1:]]
        for other_tokens, others in groups[i + 1:]:
            matcher = difflib.SequenceMatcher(None, tokens, other_tokens, autojunk=False)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = round(matcher.ratio(), 3)
            if ratio >= threshold:
                pairs += [(min(a, b), max(a, b), ratio) for a in people for b in others]
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


def similarity_clusters(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The "similar" flags of each task as groups of candidates linked by near-identical
    answers (for people to read: 30 candidates sharing a query are one group, not 435
    pairs), largest first: ``{"task", "candidates", "min", "max"}``.

    >>> similarity_clusters([
    ...     {"kind": "similar", "task": "t", "candidate": "a", "other": "b", "similarity": 1.0},
    ...     {"kind": "similar", "task": "t", "candidate": "b", "other": "c", "similarity": 0.95},
    ...     {"kind": "similar", "task": "t", "candidate": "x", "other": "y", "similarity": 0.9}])
    [{'task': 't', 'candidates': ['a', 'b', 'c'], 'min': 0.95, 'max': 1.0}, \
{'task': 't', 'candidates': ['x', 'y'], 'min': 0.9, 'max': 0.9}]
    """
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    similar = [f for f in flags if f["kind"] == "similar"]
    for flag in similar:
        parent[root((flag["task"], flag["candidate"]))] = root((flag["task"], flag["other"]))
    clusters: dict[tuple[str, str], dict[str, Any]] = {}
    for flag in similar:
        key = root((flag["task"], flag["candidate"]))
        cluster = clusters.setdefault(key, {"task": flag["task"], "candidates": set(),
                                            "min": flag["similarity"], "max": flag["similarity"]})
        cluster["candidates"] |= {flag["candidate"], flag["other"]}
        cluster["min"] = min(cluster["min"], flag["similarity"])
        cluster["max"] = max(cluster["max"], flag["similarity"])
    result = [{**c, "candidates": sorted(c["candidates"])} for c in clusters.values()]
    return sorted(result, key=lambda c: (c["task"], -len(c["candidates"]), c["candidates"]))


def describe_cluster(cluster: dict[str, Any], shown: int | None = None) -> str:
    """One line for a group of near-identical answers.

    >>> describe_cluster({"task": "t", "candidates": ["a", "b", "c"], "min": 0.95, "max": 1.0}, 2)
    't: 3 candidates with near-identical answers (95%-100% after normalisation): a, b and 1 more'
    """
    names = cluster["candidates"]
    listed = ", ".join(names[:shown] if shown else names)
    more = len(names) - shown if shown and len(names) > shown else 0
    low, high = cluster["min"], cluster["max"]
    span = f"{low:.0%}" if low == high else f"{low:.0%}-{high:.0%}"
    return (f"{cluster['task']}: {len(names)} candidates with near-identical answers ({span} "
            f"after normalisation): {listed}{f' and {more} more' if more else ''}")


@dataclass
class Cohort:
    """Everything the reports show: scored answers, flags and notes, in a stable order."""

    tasks: list[dict[str, Any]]  # manifest challenge entries
    candidates: list[str]
    answers: dict[tuple[str, str], dict[str, Any]]  # (candidate, task) -> scored record
    notes: dict[str, list[str]]
    folder_notes: list[str]
    flags: list[dict[str, Any]]  # integrity signals for a human
    warnings: list[str]  # about the run (e.g. a challenge changed since build)

    def total(self, candidate: str) -> tuple[float, float]:
        rows = [self.answers[(candidate, t["id"])] for t in self.tasks]
        return (round(sum(r["points"] for r in rows), 4),
                round(sum(r["max_points"] for r in rows), 4))

    def pitfall_counts(self) -> list[tuple[str, str, int]]:
        """(task, pitfall, candidates caught), most frequent first."""
        counts: dict[tuple[str, str], int] = {}
        for record in self.answers.values():
            if record["verdict"] == "misleading":
                key = (record["task"], record.get("pitfall") or "unrecognised")
                counts[key] = counts.get(key, 0) + 1
        return sorted(((t, p, n) for (t, p), n in counts.items()), key=lambda x: (-x[2], x))

    def to_json(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks, "warnings": self.warnings, "folder_notes": self.folder_notes,
            "flags": self.flags,
            "candidates": [
                {"candidate": c, "score": self.total(c)[0], "max_score": self.total(c)[1],
                 "notes": self.notes.get(c, []),
                 "answers": [self.answers[(c, t["id"])] for t in self.tasks]}
                for c in self.candidates],
        }


def score(
    manifest: dict[str, Any],
    jobs: list[Job],
    latest: dict[tuple[str, str], dict[str, Any]],
    rubric: Rubric,
    notes: dict[str, list[str]],
    folder_notes: list[str],
) -> Cohort:
    """Points from the rubric, and the integrity signals, for every job's latest record."""
    tasks = manifest["challenges"]
    candidates = list(dict.fromkeys(job.candidate for job in jobs))
    answers = {}
    for job in jobs:
        record = dict(latest[(job.candidate, job.task)])
        record["points"] = rubric.award(record)
        record["max_points"] = rubric.max_points(job.task)
        answers[(job.candidate, job.task)] = record
    flags = []
    for (candidate, task), record in answers.items():
        if record["verdict"] == "misleading" and record.get("own_world") == "match":
            flags.append({"kind": "own_world_only", "candidate": candidate, "task": task,
                          "detail": "right on the candidate's own data, wrong on the hidden "
                                    "worlds: hard-coded or overfitted?"})
    for task in tasks:
        texts = {c: answers[(c, task["id"])]["answer"] for c in candidates
                 if answers[(c, task["id"])].get("answer")}
        for left, right, ratio in similar_pairs(texts):
            flags.append({"kind": "similar", "candidate": left, "other": right,
                          "task": task["id"], "similarity": ratio,
                          "detail": f"answers {ratio:.0%} identical after normalisation"})
    warnings = [f"{t['id']} changed since the bundle was built (content hash "
                f"{t['content_hash']} -> {_challenge(t['id']).content_hash})"
                for t in tasks if _challenge(t["id"]).content_hash != t["content_hash"]]
    return Cohort(tasks, candidates, answers, notes, folder_notes, flags, warnings)


def iter_rows(cohort: Cohort) -> Iterator[dict[str, Any]]:
    """One flat row per (candidate, task), for CSV and tables."""
    for candidate in cohort.candidates:
        for task in cohort.tasks:
            r = cohort.answers[(candidate, task["id"])]
            yield {"candidate": candidate, "task": task["id"], "verdict": r["verdict"],
                   "pitfall": r.get("pitfall") or "", "points": r["points"],
                   "max_points": r["max_points"], "own_world": r.get("own_world") or "",
                   "reason": r.get("reason") or "", "message": r.get("message") or ""}

