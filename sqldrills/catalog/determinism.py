"""Is a drill's SQL deterministic? Its reference and traps must give the same result however
DuckDB schedules the work and whatever order the rows are stored in.

A reference whose ORDER BY, LIMIT, DISTINCT ON or window frame is not total (ties broken by
nothing) returns different rows from run to run, and then a right answer can be judged
wrong. So each query runs twice: with two threads on the world, and with one thread on its
*shuffled twin*, the same rows stored in another order. Two results that differ under the
drill's own rules are reported.
"""

from __future__ import annotations

import fcntl
from dataclasses import replace
from pathlib import Path

from sqldrills.catalog.challenges import Challenge
from sqldrills.grading.compare import Table
from sqldrills.grading.references import REFERENCE_LIMITS, same_as
from sqldrills.grading.sandbox import QueryFailure, Sandbox, sql_string
from sqldrills.world.cache import WorldSpec, world_path
from sqldrills.world.schema import TABLES

SHUFFLE_SALT = 20261130


def shuffled_twin(spec: WorldSpec) -> Path:
    """The world of ``spec`` with every table's rows stored in another (fixed) order; built
    once beside the world in the cache."""
    import duckdb

    source = world_path(spec)
    path = source.with_name(source.stem + ".shuffled.duckdb")
    if path.exists():
        return path
    with open(source.with_name(source.stem + ".shuffled.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return path
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp), config={"threads": 1})  # one thread keeps the order written
        try:
            con.execute(f"ATTACH {sql_string(str(source))} AS source (READ_ONLY)")
            for table in TABLES:
                con.execute(f"CREATE TABLE {table} AS SELECT * FROM source.{table} "
                            f"ORDER BY hash(COLUMNS(*), {SHUFFLE_SALT})")
        finally:
            con.close()
        tmp.replace(path)
    return path


def nondeterministic(challenge: Challenge, spec: WorldSpec) -> list[str]:
    """One problem per reference or trap whose result on ``spec`` changes with the thread
    count and the stored order of the rows."""
    from sqldrills.grading.sqlcheck import prepare_query

    queries = [(name, sql) for name, sql in challenge.references]
    queries += [(f"traps/{trap.id}.sql", trap.sql) for trap in challenge.traps]
    prepared = [prepare_query(sql) for _, sql in queries]
    twin, world = shuffled_twin(spec), world_path(spec)
    on_twin = Sandbox.start([twin], limits=replace(REFERENCE_LIMITS, threads=1)).run_many(prepared)
    try:
        on_world = Sandbox.start([world], limits=replace(REFERENCE_LIMITS, threads=2)).run_many(prepared)
    except BaseException:
        on_twin()  # reap the first child
        raise
    problems = []
    for (name, _), [a], [b] in zip(queries, on_twin(), on_world(), strict=True):
        if isinstance(a, QueryFailure) or isinstance(b, QueryFailure):
            failure = a if isinstance(a, QueryFailure) else b
            problems.append(f"{challenge.id}/{name}: failed on {spec.describe()}: {failure.message}")
        elif not same_as(challenge, Table(a.columns, a.rows), Table(b.columns, b.rows)):
            problems.append(
                f"{challenge.id}/{name}: not deterministic: its result on {spec.describe()} changes with "
                "the row order and thread count; make every ORDER BY, LIMIT, DISTINCT ON and window "
                "ORDER BY total (break ties on a unique column)")
    return problems
