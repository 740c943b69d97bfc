"""A drill whose reference depends on row order or thread scheduling is caught
(sqldrills/catalog/determinism.py), and the catalog's own drills are deterministic."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from sqldrills.catalog.challenges import get, load_all, load_challenge
from sqldrills.catalog.determinism import nondeterministic, shuffled_twin
from sqldrills.world.cache import practice_world, world_path
from sqldrills.world.schema import TABLES


def test_the_shuffled_twin_holds_the_same_rows_in_another_order() -> None:
    spec = practice_world("tiny")
    twin = shuffled_twin(spec)
    con = duckdb.connect(str(twin), read_only=True)
    con.execute(f"ATTACH '{world_path(spec)}' AS world (READ_ONLY)")
    for table in TABLES:
        assert con.execute(f"SELECT count(*) FROM (SELECT * FROM {table} EXCEPT ALL SELECT * FROM world.{table})"
                           ).fetchone() == (0,)
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == \
            con.execute(f"SELECT count(*) FROM world.{table}").fetchone()
    first = con.execute("SELECT account_id FROM accounts LIMIT 20").fetchall()
    assert first != con.execute("SELECT account_id FROM world.accounts LIMIT 20").fetchall()
    con.close()


def test_a_reference_without_a_total_order_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "members_not_devices"
    shutil.copytree(get("members_not_devices").path, folder)
    # Any 5 members who played: which 5 depends on how the rows are stored.
    (folder / "reference_any_five.sql").write_text(
        "SELECT day, viewers FROM (SELECT e.event_ts_utc::DATE AS day, count(*) AS viewers "
        "FROM (SELECT * FROM events LIMIT 5000) e GROUP BY 1)")
    problems = nondeterministic(load_challenge(folder), practice_world("tiny"))
    assert len(problems) == 1
    assert "reference_any_five.sql: not deterministic" in problems[0]


@pytest.mark.parametrize("drill", [c.id for c in load_all()])
def test_every_drill_is_deterministic(drill: str) -> None:
    assert nondeterministic(get(drill), practice_world("tiny")) == []
