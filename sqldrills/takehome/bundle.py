"""Build the take-home: per candidate, a folder and a zip with the prompts, the candidate's
own world (DuckDB by default; Parquet or both on request), answer stubs, the handbook, the
schema and a bundle ``manifest.json``; and the grading manifest at the top.

A candidate's seed is derived from a bundle secret and the candidate id, and never equals a
hidden world's seed. No reference, trap, hint or drill id travels in a bundle: tasks are
``task_1``, ``task_2``, ... with the drills' neutral titles, mapped to the drills only in the
grading manifest.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from sqldrills import __version__
from sqldrills.catalog.challenges import Challenge, get
from sqldrills.catalog.distill import EXTRA_SEEDS, secret_worlds
from sqldrills.paths import CHALLENGES_DIR_ENV, handbook_file, write_atomic
from sqldrills.takehome import TakehomeError
from sqldrills.takehome.manifest import (
    CANDIDATE_ID,
    MANIFEST_KIND,
    SHARED_ID,
    BundleEntry,
    Manifest,
    TaskEntry,
)
from sqldrills.takehome.rubric import Rubric, describe
from sqldrills.takehome.world_file import DATA_FORMATS, DEFAULT_BUNDLE_SCALE, write_world
from sqldrills.world.cache import default_scale, hidden_worlds, practice_world
from sqldrills.world.schema import TABLES


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
    """Seeds a candidate world must not use: the practice world's, every public hidden
    world's (the recipe's, the drill's own, its distilled ones) and every seed a distilled
    world could have been chosen from (``catalog/distill.py``)."""

    seeds = {practice_world(scale).seed, *EXTRA_SEEDS}  # the seeds distillation chooses from
    for challenge in challenges:
        seeds |= {spec.seed for spec in hidden_worlds(scale, extra=list(challenge.worlds))}
        seeds |= {int(world["seed"]) for world in challenge.grading_worlds}
    return seeds


@dataclass(frozen=True)
class Candidate:
    """A row of candidates.csv: the id (folder and zip name), and name and email for the
    reports ("" when the file has no such column)."""

    id: str
    name: str = ""
    email: str = ""


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def read_candidates(path: Path) -> list[Candidate]:
    """Candidates from a CSV file with a ``candidate`` column and optional ``name`` and
    ``email`` columns (others are ignored); a clear :class:`TakehomeError` for a file that
    cannot be used, naming the line."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TakehomeError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
                            f"offset {exc.start}); save it as UTF-8 CSV") from None
    except OSError as exc:
        raise TakehomeError(f"{path}: {exc.strerror or exc}") from None
    try:
        reader = csv.DictReader(text.splitlines(), strict=True)
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "candidate" not in fields:
            raise TakehomeError(f"{path}: needs a header row with a 'candidate' column "
                                "(and optionally 'name' and 'email')")
        reader.fieldnames = fields
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise TakehomeError(f"{path}: not a CSV file the grader can read ({exc})") from None
    found, problems = [], []
    for line, row in rows:
        if None in row:
            problems.append(f"line {line} has more cells than the header")
        cid, name, email = ((row.get(key) or "").strip() for key in ("candidate", "name", "email"))
        if not cid:
            if name or email:
                problems.append(f"line {line} has no candidate id")
            continue
        if not CANDIDATE_ID.match(cid):
            problems.append(f"line {line}: unusable candidate id {cid!r} (use letters, digits "
                            "and _ . @ + -)")
        if email and not _EMAIL.match(email):
            problems.append(f"line {line}: {email!r} is not an email address")
        if any(not ch.isprintable() for ch in name):
            problems.append(f"line {line}: the name holds control characters")
        found.append(Candidate(cid, name, email))
    if problems:
        raise TakehomeError(f"{path}: {'; '.join(problems[:5])}"
                            f"{f' (and {len(problems) - 5} more)' if len(problems) > 5 else ''}")
    if not found:
        raise TakehomeError(f"{path}: no candidates")
    try:
        check_candidate_ids([c.id for c in found])
    except TakehomeError as exc:
        raise TakehomeError(f"{path}: {exc}") from None
    return found


# What `build` writes at the top of --out besides the candidates' folders and zips.
RESERVED_NAMES = ("manifest.json", "README.md")


def check_candidate_ids(ids: list[str]) -> None:
    """Refuse ids whose outputs would overwrite each other or the build's own files:
    ``<id>/`` and ``<id>.zip`` for each id, compared case-folded (a case-insensitive disk
    sees ``Ada`` and ``ada`` as one), and the reserved names.

    >>> check_candidate_ids(["ada", "bob"])
    >>> check_candidate_ids(["ada", "ada"])
    Traceback (most recent call last):
    ...
    sqldrills.takehome.TakehomeError: candidate ids that collide: ada (listed more than once)
    >>> check_candidate_ids(["alice", "alice.zip", "Bob", "bob", "manifest.json"])
    Traceback (most recent call last):
    ...
    sqldrills.takehome.TakehomeError: candidate ids that collide: manifest.json (reserved \
for the grading manifest and README); alice and alice.zip (both write alice.zip); Bob and \
bob (both write bob)
    """
    owners: dict[str, list[str]] = {name.casefold(): [] for name in RESERVED_NAMES}
    for candidate in ids:
        for name in (candidate, f"{candidate}.zip"):
            owners.setdefault(name.casefold(), []).append(candidate)
    problems: dict[tuple[str, ...], str] = {}  # one line per group of ids (Bob, bob: twice)
    reserved = {name.casefold() for name in RESERVED_NAMES}
    for name, who in owners.items():
        group = tuple(dict.fromkeys(who))
        if name in reserved and group:
            problems.setdefault(group, f"{' and '.join(group)} (reserved for the grading "
                                       "manifest and README)")
        elif len(group) > 1:
            problems.setdefault(group, f"{' and '.join(group)} (both write {name})")
        elif len(who) > 1:
            problems.setdefault(group, f"{group[0]} (listed more than once)")
    if problems:
        raise TakehomeError(f"candidate ids that collide: {'; '.join(problems.values())}")


def output_contract(challenge: Challenge) -> str:
    """The output contract of a task, as a candidate reads it in the README. Not the drill's
    ``grain``: that is the author's note and may name the pitfall ("closed cohorts only");
    the prompt states the grain in the asker's words."""
    order = (f"rows ordered by {', '.join(challenge.sort_keys)}" if challenge.ordered
             else "row order does not matter")
    return (f"columns {', '.join(f'`{c}`' for c in challenge.columns)}; {order}; numbers "
            f"within a relative tolerance of {challenge.tolerance:g}")


def _data_lines(data: str) -> str:
    duck = ("- `data/world.duckdb`: a DuckDB database with the tables of `schema.md`.\n"
            "  Open it with `duckdb data/world.duckdb` or from Python with\n"
            "  `duckdb.connect(\"data/world.duckdb\", read_only=True)`.\n")
    parquet = ("- `data/parquet/<table>.parquet`: the tables of `schema.md` as Parquet files,\n"
               "  for any tool (in DuckDB: `SELECT * FROM 'data/parquet/<table>.parquet'`).\n")
    return {"duckdb": duck, "parquet": parquet, "both": duck + parquet}[data]


def readme(tasks: list[tuple[TaskEntry, Challenge]], candidate: Candidate | None, scale: str,
           data: str, rules: str, deadline: datetime | None) -> str:
    who = f" for {candidate.name or candidate.id}" if candidate else ""
    listed = "\n".join(
        f"{i}. **{task.label(i)}** — `tasks/{task.id}.md`, answer in `answers/{task.id}.sql`.\n"
        f"   Output contract: {output_contract(challenge)}."
        for i, (task, challenge) in enumerate(tasks, start=1))
    due = (f"\nHand it back by **{deadline:%Y-%m-%d %H:%M} UTC**. Files changed after that are "
           "shown to the hiring team.\n" if deadline else "")
    return f"""# SQL take-home{who}

You get the warehouse of a subscription streaming service and {len(tasks)} questions.
Answer each question with one SQL query.
{due}
## Tasks

{listed}

## Your data

{_data_lines(data)}- `schema.md`: every table and column, with what it means. All timestamps are UTC
  (`*_ts_utc`). The world's "now" is `dataset_info.as_of_ts_utc`; use it instead of the
  current date.
- `handbook.md`: the company's data handbook, the definitions every analyst here is
  expected to know. The questions are short because they rely on it: read it before you
  start.

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
draws, other "now" dates, and larger. Their results are compared with the expected
results on each of those datasets: columns by name, rows as a set unless the task asks
for an order, numbers within the stated tolerance, missing values equal to each other.
A query that is right only on your data (or that hard-codes numbers) is wrong. Each
answer gets one of `correct`, `misleading` (runs, wrong numbers), `invalid` (wrong
columns), `error` (does not run) or `not attempted` (no query in the file).

Points: {rules}

This bundle was built with sqldrills {__version__}; your data is at scale `{scale}`.
"""


def schema_markdown() -> str:
    """Every public table and column with its meaning, for the bundle's ``schema.md``."""
    parts = ["# Tables\n"]
    for table, columns in TABLES.items():
        parts.append(f"\n## `{table}`\n\n| column | type | meaning |\n|---|---|---|\n")
        parts += [f"| `{c.name}` | {c.type}{' NULL' if c.nullable else ''} | "
                  f"{c.meaning.replace('|', '/')} |\n" for c in columns]
    return "".join(parts)


def _zip_folder(folder: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, PurePosixPath(folder.name, *path.relative_to(folder).parts))
    os.replace(tmp, target)


def build_bundles(
    challenge_ids: list[str],
    out: Path,
    candidates: list[Candidate] | None = None,
    *,
    scale: str | None = None,
    secret: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    data: str = "duckdb",
    bundle_scale: str = DEFAULT_BUNDLE_SCALE,
    deadline: datetime | None = None,
    rubric: Rubric | None = None,
) -> Manifest:
    """Write the bundles and the grading manifest into ``out``; return the manifest.

    ``scale`` is the grading worlds' (kept in the manifest); ``bundle_scale`` the
    candidates' own worlds; ``data`` the format they get them in (:data:`DATA_FORMATS`).
    """
    if data not in DATA_FORMATS:
        raise TakehomeError(f"--data {data!r} is not one of {', '.join(DATA_FORMATS)}")
    scale = scale or default_scale()
    challenges = [get(cid) for cid in challenge_ids]
    if len(set(challenge_ids)) != len(challenge_ids):
        raise TakehomeError("a challenge is listed twice in --challenges")
    people = candidates or [Candidate(SHARED_ID)]
    check_candidate_ids([c.id for c in people])  # before anything is written
    secret = secret or secrets.token_hex(16)
    # The grading worlds first: a drill whose worlds cannot be made strong from this secret
    # fails here, before any bundle is sent; a candidate's world never takes their seeds.
    graded = [secret_worlds(c, secret, scale) for c in challenges]
    forbidden = reserved_seeds(challenges, scale) | {spec.seed for specs in graded for spec in specs}
    out.mkdir(parents=True, exist_ok=True)
    tasks = [TaskEntry.of(i, c) for i, c in enumerate(challenges, start=1)]
    rules = describe(rubric or Rubric(), [t.id for t in tasks])
    handbook = handbook_file().read_text(encoding="utf-8")
    entries = []
    for done, person in enumerate(people):
        if progress:
            progress(person.id, done, len(people))
        seed = candidate_seed(secret, person.id, forbidden)
        folder = out / person.id
        if folder.exists():
            shutil.rmtree(folder)
        (folder / "data").mkdir(parents=True)
        write_world(seed, bundle_scale, folder / "data", data)
        for number, task in enumerate(tasks, start=1):
            write_atomic(folder / "tasks" / f"{task.id}.md", challenges[number - 1].prompt)
            write_atomic(folder / "answers" / f"{task.id}.sql", task.stub(number))
        write_atomic(folder / "README.md", readme(list(zip(tasks, challenges, strict=True)),
                                                  person if candidates else None, bundle_scale,
                                                  data, rules, deadline))
        write_atomic(folder / "handbook.md", handbook)  # the tasks' questions rely on it
        write_atomic(folder / "schema.md", schema_markdown())
        bundle_manifest = {
            "kind": f"{MANIFEST_KIND}-bundle",
            **({"candidate": person.id} if candidates else {}),
            "seed": seed, "scale": bundle_scale, "sqldrills_version": __version__,
            **({"deadline": deadline.isoformat()} if deadline else {}),
            "tasks": [{"id": t.id, "title": t.label(i), "columns": t.columns,
                       "prompt": f"tasks/{t.id}.md", "answer": f"answers/{t.id}.sql"}
                      for i, t in enumerate(tasks, start=1)],
        }
        write_atomic(folder / "manifest.json", json.dumps(bundle_manifest, indent=2) + "\n")
        _zip_folder(folder, out / f"{person.id}.zip")
        entries.append(BundleEntry(person.id, seed, person.id, f"{person.id}.zip",
                                   person.name, person.email))
    if progress:
        progress("done", len(people), len(people))
    catalog = os.environ.get(CHALLENGES_DIR_ENV)
    manifest = Manifest(__version__, datetime.now(UTC).isoformat(timespec="seconds"), scale,
                        shared=candidates is None, secret=secret, challenges=tasks,
                        candidates=entries, catalog=str(Path(catalog).resolve()) if catalog
                        else None, deadline=deadline.isoformat() if deadline else None,
                        data=data, bundle_scale=bundle_scale)
    write_atomic(out / "manifest.json", json.dumps(manifest.to_json(), indent=2) + "\n")
    return manifest
