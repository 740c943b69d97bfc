"""Build a world: one DuckDB database from a recipe, a seed and a scale, written by the
steps of ``STEPS``, run in order.

Faker supplies the human-looking strings (names, email domains, titles) as small pools;
the volume is generated inside DuckDB, vectorised. Every random draw is
``hash(seed, salt, key...)`` turned into a uniform number, so a row's values depend only
on the seed and the row's identity: the same recipe, seed and scale give the same
contents on any machine, with any number of threads, in any local time zone, and however
the accounts are chunked.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqldrills.world.processes import retry_internal_errors, run_in_child
from sqldrills.world.recipe import Recipe
from sqldrills.world.schema import TABLES
from sqldrills.world.steps import GENERATOR_VERSION
from sqldrills.world.steps.accounts import account_draws, accounts, devices, profiles
from sqldrills.world.steps.context import Bar, Build, Progress, connect
from sqldrills.world.steps.events import events, plays, session_extras
from sqldrills.world.steps.experiments import experiment_assignments, experiment_effects
from sqldrills.world.steps.finish import dataset_info, drop_scratch
from sqldrills.world.steps.sessions import (
    as_of_bait_sessions,
    assignment_watch_sessions,
    cut_bait_sessions,
    dst_travel_sessions,
    late_hit_sessions,
    premiere_sessions,
    sessions,
)
from sqldrills.world.steps.setup import create_tables, macros, name_pools, titles
from sqldrills.world.steps.subscriptions import subscriptions

if TYPE_CHECKING:
    import duckdb

__all__ = ["CHUNK_STEPS", "GENERATOR_VERSION", "STEPS", "Progress", "WorldStats", "account_chunks", "build_world",
           "sessions_and_events", "world_stats"]

Step = Callable[[Build], None]

# Accounts per chunk unless the recipe's `generation.chunk_accounts` says otherwise: a
# chunk's sessions and events must fit in memory at once.
DEFAULT_CHUNK_ACCOUNTS = 60_000

# The sessions and events of one chunk of accounts (Build.accounts).
CHUNK_STEPS: tuple[Step, ...] = (
    sessions, premiere_sessions, late_hit_sessions, dst_travel_sessions, as_of_bait_sessions,
    cut_bait_sessions, assignment_watch_sessions, plays, session_extras, events,
)

# What the chunk steps read, kept in the world file while chunk processes run: each loads
# its accounts' rows into the temp table named without the `_gen_` prefix.
_CHUNK_INPUTS = {
    "_gen_acct": "SELECT account_id, signup_ts_utc, n_devices, n_profiles, intensity_base, is_test FROM acct",
    "_gen_subs": "SELECT account_id, sub_no, start_ts, end_ts FROM subs",
    "_gen_effects": "SELECT account_id, lift, novelty_from FROM effects",
    "_gen_assignment": "SELECT experiment_id, account_id, assigned_ts_utc FROM assignment",
}


@dataclass
class WorldStats:
    rows: dict[str, int] = field(default_factory=dict)
    traps: dict[str, Any] = field(default_factory=dict)


def account_chunks(recipe: Recipe, scale: str) -> list[range]:
    """The account indexes, in chunks of ``generation.chunk_accounts``."""
    size = int(recipe.data.get("generation", {}).get("chunk_accounts", DEFAULT_CHUNK_ACCOUNTS))
    n_accounts = recipe.accounts(scale)
    return [range(lo, min(lo + size, n_accounts)) for lo in range(0, n_accounts, size)]


def sessions_and_events(b: Build) -> None:
    """Reads temp.acct, temp.subs, temp.effects, temp.assignment; writes events, running
    ``CHUNK_STEPS`` once per chunk of accounts (``account_chunks``), which keeps ``large``
    out of core.

    With more than one chunk, each chunk runs in its own process on the file: its memory
    is returned before the next one starts, and a chunk that fails can be run again from
    scratch (see ``processes.INTERNAL_ERROR_ATTEMPTS``). The per-account inputs the chunks
    need are kept in the file meanwhile (``_gen_*`` tables, dropped at the end).
    """
    chunks = account_chunks(b.recipe, b.scale)
    if len(chunks) == 1:
        b.bar.announce(_chunk_label(chunks[0]))
        for step in CHUNK_STEPS:
            step(b)
        return
    for name, query in _CHUNK_INPUTS.items():
        b.sql(f"CREATE TABLE {name} AS {query}")
    b.con.execute("CHECKPOINT")
    b.con.close()  # the chunk processes open the file, and DuckDB lets only one process write it
    context = multiprocessing.get_context("spawn")
    for chunk in chunks:
        label = _chunk_label(chunk)
        b.bar.announce(label)
        _run_chunk_process(context, b.recipe, b.seed, b.scale, b.path, b.threads, chunk.start, chunk.stop,
                           retrying=lambda attempt, label=label: b.bar.amend(
                               f"{label} (DuckDB internal error; attempt {attempt})"))
    b.con = connect(b.path, b.threads)
    for name in _CHUNK_INPUTS:
        b.sql(f"DROP TABLE {name}")


# The order the steps run in. A string is not a step: it is what the progress bar shows
# until the next one.
STEPS: tuple[Step | str, ...] = (
    "accounts, profiles, devices",
    create_tables, macros, name_pools, titles, account_draws, profiles, devices,
    "experiments and subscriptions",
    experiment_assignments, experiment_effects, subscriptions, accounts,
    sessions_and_events,  # shows one label per chunk of accounts
    "finishing",
    dataset_info, drop_scratch,
)


def build_world(
    recipe: Recipe,
    seed: int,
    scale: str,
    path: Path,
    progress: Progress | None = None,
    threads: int | None = None,
) -> WorldStats:
    """Write the world for (recipe, seed, scale) into a new DuckDB file at ``path``: the
    steps of ``STEPS`` in order, then the row counts."""
    labels = sum(isinstance(step, str) for step in STEPS)
    bar = Bar(progress, total=labels + len(account_chunks(recipe, scale)))
    b = Build(connect(path, threads), recipe, int(seed), scale, path, threads,
              range(recipe.accounts(scale)), bar)
    try:
        for step in STEPS:
            if isinstance(step, str):
                bar.announce(step)
            else:
                step(b)
        stats = world_stats(b.con, traps=False)
        bar.announce("done")
        return stats
    finally:
        b.con.close()


def _chunk_label(chunk: range) -> str:
    return f"events for accounts {chunk.start:,}-{chunk.stop:,}"


def _run_chunk_process(context: Any, recipe: Recipe, seed: int, scale: str, path: Path,
                       threads: int | None, lo: int, hi: int,
                       retrying: Callable[[int], None] | None = None) -> None:
    """The chunk steps for accounts [lo, hi) in a fresh process, run again after a DuckDB
    internal error; raises RuntimeError if they fail."""
    error = retry_internal_errors(
        lambda: run_in_child(context, _chunk_in_child, (recipe, seed, scale, str(path), threads, lo, hi)),
        retrying)
    if error is not None:
        raise RuntimeError(f"generating events for accounts {lo:,}-{hi:,} failed: {error}")


def _chunk_in_child(recipe: Recipe, seed: int, scale: str, path: str, threads: int | None,
                    lo: int, hi: int) -> None:
    """The chunk steps for accounts [lo, hi), in the chunk's own process."""
    b = Build(connect(Path(path), threads), recipe, seed, scale, Path(path), threads, range(lo, hi),
              Bar(None, 0))
    try:
        macros(b)  # temp macros die with the connection that made them
        for name in _CHUNK_INPUTS:
            b.sql(f"CREATE TEMP TABLE {name.removeprefix('_gen_')} AS SELECT * FROM {name} "
                  f"WHERE account_id >= {b.first_id} AND account_id < {b.end_id}")
        for step in CHUNK_STEPS:
            step(b)
    finally:
        b.con.close()


def world_stats(con: duckdb.DuckDBPyConnection, traps: bool = True) -> WorldStats:
    """Row counts and (unless ``traps=False``) the planted-trap figures printed after a build."""
    stats = WorldStats()
    for table in TABLES:
        stats.rows[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if not traps:
        return stats
    q = con.execute
    stats.traps["duplicate_event_share"] = q(
        "SELECT 1 - count(DISTINCT hash(event_id)) / count(*) FROM events").fetchone()[0]
    stats.traps["devices_per_account"] = q(
        "SELECT round(avg(n), 2) FROM (SELECT count(*) n FROM devices GROUP BY account_id)"
    ).fetchone()[0]
    stats.traps["accounts_with_3plus_devices"] = q(
        "SELECT avg((n >= 3)::INT) FROM (SELECT count(*) n FROM devices GROUP BY account_id)"
    ).fetchone()[0]
    stats.traps["time_zones"] = q("SELECT count(DISTINCT home_tz) FROM accounts").fetchone()[0]
    stats.traps["late_share_over_1h"] = q(
        "SELECT avg((received_ts_utc > event_ts_utc + INTERVAL 1 HOUR)::INT) FROM events"
    ).fetchone()[0]
    stats.traps["watch_minutes_per_session_mean_vs_median"] = q(
        "SELECT round(avg(m), 1) || ' vs ' || round(median(m), 1) FROM "
        "(SELECT sum(watch_seconds) / 60 m FROM events WHERE watch_seconds IS NOT NULL "
        " GROUP BY session_id)"
    ).fetchone()[0]
    return stats
