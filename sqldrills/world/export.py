"""A built world in other forms: Parquet files, and the row counts and bait figures that
``sqldrills generate`` prints."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from sqldrills.world.schema import TABLES

if TYPE_CHECKING:
    from sqldrills.world.generate import WorldStats


def export_parquet(db: Path, out: Path) -> None:
    """Every public table of the world ``db`` as ``out/<table>.parquet``.

    The folder is written beside ``out`` and renamed into place when complete, so ``out`` is
    never half written, even when it already existed and the process is killed.
    """
    import duckdb

    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table in TABLES:
            target = str(tmp / f"{table}.parquet").replace("'", "''")
            con.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")
    finally:
        con.close()
    if not out.exists():
        tmp.rename(out)
        return
    # Move the old one aside before deleting it: a kill while deleting must not leave half a
    # folder at ``out``.
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    out.rename(old)
    tmp.rename(out)
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old)
    else:
        old.unlink()


def stats(db: Path) -> WorldStats:
    """Row counts per table and the planted bait's figures, read from a built world."""
    import duckdb

    from sqldrills.world.generate import world_stats

    con = duckdb.connect(str(db), read_only=True)
    try:
        return world_stats(con)
    finally:
        con.close()
