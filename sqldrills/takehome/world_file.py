"""A candidate's own world in a bundle: built from its seed, rewritten compactly, in the
format asked for (the DuckDB file by default, Parquet files, or both).

A freshly generated world file keeps the blocks its scratch tables used (about a third of a
`small` world) and holds rows in generation order; rewritten into a fresh file with each
table's rows clustered, the same rows take far less room, zipped or not.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqldrills.world.cache import WorldSpec, build_to
from sqldrills.world.export import export_parquet
from sqldrills.world.schema import TABLES

DATA_FORMATS = ("duckdb", "parquet", "both")
# The candidates' own worlds: every bait the drills need is in a tiny world (the catalog is
# validated on tiny worlds), and a small one is ~37 MB zipped, too much to mail.
DEFAULT_BUNDLE_SCALE = "tiny"

# How each table's rows are laid out in a bundle's world: rows that sit together compress
# together (an account's events, in time order), so the zip is far smaller. The rows are
# the same; the remaining columns make the order total, so a rebuild writes the same file.
_CLUSTER = {"events": ("account_id", "session_id", "event_ts_utc", "received_ts_utc"),
            "devices": ("account_id",), "profiles": ("account_id",),
            "subscriptions": ("account_id", "started_ts_utc"),
            "experiment_assignments": ("experiment_id", "account_id")}


def compact_world(source: Path, target: Path) -> None:
    """``source``'s public tables rewritten into a fresh file ``target``: no blocks left
    free by the generator's scratch tables, rows clustered (:data:`_CLUSTER`)."""
    import duckdb

    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute("SET threads = 1")  # one writer: the same file every time
        con.execute(f"ATTACH '{str(source).replace(chr(39), chr(39) * 2)}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{str(tmp).replace(chr(39), chr(39) * 2)}' AS dst")
        ddl = dict(con.execute("SELECT table_name, sql FROM duckdb_tables() "
                               "WHERE database_name = 'src'").fetchall())
        con.execute("USE dst")
        for table, columns in TABLES.items():
            con.execute(ddl[table])
            keys = _CLUSTER.get(table, ())
            order = [*keys, *(c.name for c in columns if c.name not in keys)]
            con.execute(f"INSERT INTO dst.{table} SELECT * FROM src.{table} "
                        f"ORDER BY {', '.join(order)}")
        con.execute("USE memory")
        con.execute("DETACH dst")
    finally:
        con.close()
    os.replace(tmp, target)


def write_world(seed: int, scale: str, data_dir: Path, data: str) -> None:
    """The world of ``seed`` at ``scale`` in ``data_dir``, as ``data`` asks."""
    raw = data_dir / ".raw.duckdb"
    build_to(WorldSpec(seed, scale), raw)
    try:
        compact_world(raw, data_dir / "world.duckdb")
    finally:
        raw.unlink(missing_ok=True)
    if data in ("parquet", "both"):
        export_parquet(data_dir / "world.duckdb", data_dir / "parquet")
    if data == "parquet":
        (data_dir / "world.duckdb").unlink()
