"""Build the take-home: per candidate, a folder and a zip with the prompts, the candidate's
own world (DuckDB and Parquet), answer stubs and a bundle ``manifest.json``; and the grading
manifest at the top.

A candidate's seed is derived from a bundle secret and the candidate id, and never equals a
hidden world's seed. No reference, trap or hint travels in a bundle.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import secrets
import shutil
import zipfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from sqldrills import __version__
from sqldrills.catalog.challenges import Challenge, get
from sqldrills.paths import handbook_file, write_atomic
from sqldrills.takehome import TakehomeError
from sqldrills.takehome.manifest import (
    CANDIDATE_ID,
    MANIFEST_KIND,
    SHARED_ID,
    BundleEntry,
    Manifest,
    TaskEntry,
)
from sqldrills.world.cache import (
    WorldSpec,
    build_to,
    default_scale,
    hidden_worlds,
    practice_world,
)
from sqldrills.world.export import export_parquet
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
    """Seeds a candidate world must not use: the practice world's and every hidden world's."""
    seeds = {practice_world(scale).seed}
    for challenge in challenges:
        seeds |= {spec.seed for spec in hidden_worlds(scale, extra=list(challenge.worlds))}
    return seeds


def read_candidates(path: Path) -> list[str]:
    """Candidate ids from a CSV file with a ``candidate`` column (other columns are ignored)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "candidate" not in reader.fieldnames:
            raise TakehomeError(f"{path}: needs a header row with a 'candidate' column")
        ids = [(row.get("candidate") or "").strip() for row in reader]
    ids = [i for i in ids if i]
    bad = [i for i in ids if not CANDIDATE_ID.match(i)]
    if bad:
        raise TakehomeError(f"{path}: unusable candidate id(s) {', '.join(map(repr, bad[:5]))}: "
                            "use letters, digits and _ . @ + -")
    if not ids:
        raise TakehomeError(f"{path}: no candidates")
    try:
        check_candidate_ids(ids)
    except TakehomeError as exc:
        raise TakehomeError(f"{path}: {exc}") from None
    return ids


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
- `handbook.md`: the company's data handbook, the definitions every analyst here is
  expected to know (who counts as a member, test accounts, event delivery, which day,
  relative periods, experiments, rates, ...). The questions are short because they rely
  on it: read it before you start.

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


def build_bundles(
    challenge_ids: list[str],
    out: Path,
    candidates: list[str] | None = None,
    *,
    scale: str | None = None,
    secret: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Manifest:
    """Write the bundles and the grading manifest into ``out``; return the manifest."""
    scale = scale or default_scale()
    challenges = [get(cid) for cid in challenge_ids]
    if len(set(challenge_ids)) != len(challenge_ids):
        raise TakehomeError("a challenge is listed twice in --challenges")
    ids = candidates or [SHARED_ID]
    check_candidate_ids(ids)  # before anything is written
    secret = secret or secrets.token_hex(16)
    forbidden = reserved_seeds(challenges, scale)
    out.mkdir(parents=True, exist_ok=True)
    tasks = [TaskEntry.of(c) for c in challenges]
    handbook = handbook_file().read_text(encoding="utf-8")
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
        write_atomic(folder / "handbook.md", handbook)  # the tasks' questions rely on it
        bundle_manifest = {
            "kind": f"{MANIFEST_KIND}-bundle", "candidate": None if candidates is None else candidate,
            "seed": seed, "scale": scale, "sqldrills_version": __version__,
            "challenges": [task.to_json() for task in tasks],
        }
        write_atomic(folder / "manifest.json", json.dumps(bundle_manifest, indent=2) + "\n")
        _zip_folder(folder, out / f"{candidate}.zip")
        entries.append(BundleEntry(candidate, seed, candidate, f"{candidate}.zip"))
    if progress:
        progress("done", len(ids), len(ids))
    manifest = Manifest(__version__, datetime.now(UTC).isoformat(timespec="seconds"), scale,
                        shared=candidates is None, secret=secret, challenges=tasks,
                        candidates=entries)
    write_atomic(out / "manifest.json", json.dumps(manifest.to_json(), indent=2) + "\n")
    return manifest
