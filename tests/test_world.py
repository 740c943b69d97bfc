"""The generated world: schema contract, determinism, planted properties, cache safety."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from sqldrills.world.cache import WorldSpec, build_to, content_hash, world_path
from sqldrills.world.checks import load_checks, run_checks
from sqldrills.world.generate import GENERATOR_VERSION
from sqldrills.world.recipe import RecipeError, load_recipe
from sqldrills.world.schema import TABLES

# The docs/architecture.md §1 contract, spelled out here so that a rename in schema.py fails a test.
DESIGN_COLUMNS = {
    "accounts": "account_id signup_ts_utc country home_tz plan is_test email acquisition_channel",
    "profiles": "profile_id account_id profile_name is_kids created_ts_utc",
    "devices": "device_id account_id device_type first_seen_ts_utc",
    "titles": "title_id title title_type genre runtime_min release_date is_original",
    "events": "event_id account_id profile_id device_id session_id event_type title_id "
              "event_ts_utc received_ts_utc client_tz watch_seconds",
    "subscriptions": "subscription_id account_id plan monthly_price_usd started_ts_utc "
                     "ended_ts_utc end_reason",
    "experiment_assignments": "experiment_id account_id variant assigned_ts_utc",
    "dataset_info": "as_of_ts_utc seed scale recipe generator_version",
}


def test_schema_matches_the_design_contract(practice_db: Path) -> None:
    con = duckdb.connect(str(practice_db), read_only=True)
    got = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()
    con.close()
    actual: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in got:
        actual.setdefault(table, []).append((column, dtype))
    assert set(actual) == set(DESIGN_COLUMNS)
    for table, names in DESIGN_COLUMNS.items():
        assert [c for c, _ in actual[table]] == names.split(), table
        assert [t for _, t in actual[table]] == [c.type for c in TABLES[table]], table
    for table, columns in actual.items():
        for column, dtype in columns:
            if column.endswith("_ts_utc"):
                assert dtype == "TIMESTAMP", f"{table}.{column} must be a naive UTC TIMESTAMP"


def test_same_seed_same_world_different_seed_different(tmp_path: Path, practice_db: Path) -> None:
    again = tmp_path / "again.duckdb"
    build_to(WorldSpec(7, "tiny"), again)
    other = tmp_path / "other.duckdb"
    build_to(WorldSpec(8, "tiny"), other)
    assert content_hash(again) == content_hash(practice_db)
    assert content_hash(other) != content_hash(practice_db)


def portable_hash(path: Path) -> str:
    """Every table's rows in sorted order, hashed in Python: unlike ``content_hash``, which
    uses DuckDB's own hash(), it cannot change with the DuckDB version."""
    digest = hashlib.sha256()
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        for table in TABLES:
            digest.update(table.encode())
            cursor = con.execute(f"SELECT * FROM {table} ORDER BY ALL")
            while rows := cursor.fetchmany(100_000):
                for row in rows:
                    digest.update(repr(row).encode())
    finally:
        con.close()
    return digest.hexdigest()


def test_the_tiny_world_matches_its_golden_hash(practice_db: Path) -> None:
    golden = tomllib.loads((Path(__file__).parent / "golden" / "worlds.toml").read_text())
    assert golden["generator_version"] == GENERATOR_VERSION, (
        "GENERATOR_VERSION changed: record the new world's hash in tests/golden/worlds.toml")
    assert portable_hash(practice_db) == golden["tiny_seed_7"], (
        f"the tiny world changed under DuckDB {duckdb.__version__} without a GENERATOR_VERSION bump")


def test_world_does_not_depend_on_the_local_time_zone(tmp_path: Path, practice_db: Path) -> None:
    out = tmp_path / "tokyo.duckdb"
    env = {**os.environ, "TZ": "Asia/Tokyo"}
    code = (f"from sqldrills.world.cache import WorldSpec, build_to; from pathlib import Path; "
            f"build_to(WorldSpec(7, 'tiny'), Path({str(out)!r}))")
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert content_hash(out) == content_hash(practice_db)


@pytest.mark.parametrize("seed", [7, 1009, 2027])
def test_every_world_check_passes_on_tiny(seed: int) -> None:
    db = world_path(WorldSpec(seed, "tiny"))
    failed = {r.check.name: r.failing_rows for r in run_checks(db) if not r.passed}
    assert failed == {}


def test_world_checks_catch_a_world_without_the_bait(tmp_path: Path) -> None:
    knobs = (("delivery.duplicate_rate", 0.0), ("delivery.retry_burst_device_share", 0.0),
             ("devices.travel_share", 0.0), ("boundaries.dst_travel_share", 0.0),
             ("activity.resume_share", 0.0), ("activity.instant_play_share", 0.0),
             ("activity.tail_browse_share", 0.0), ("premiere.late_hit_share", 0.0),
             ("subscriptions.instant_reactivation_share", 0.0),
             ("boundaries.as_of_starts_share", 0.0), ("boundaries.as_of_ends_share", 0.0),
             ("boundaries.cut_share", 0.0), ("boundaries.assignment_watch_share", 0.0))
    db = tmp_path / "clean.duckdb"
    build_to(WorldSpec(7, "tiny", knobs=knobs), db)
    failed = {r.check.name for r in run_checks(db) if not r.passed}
    assert {"redelivered_events", "travelling_devices", "dst_day_travellers", "funnel_order",
            "premiere_late_hit", "instant_reactivation", "as_of_subscriptions", "last_instant",
            "watching_at_assignment"} <= failed
    assert len(load_checks()) >= 20


def test_local_dates_agree_with_zoneinfo(practice_db: Path) -> None:
    con = duckdb.connect(str(practice_db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    rows = con.execute(
        "SELECT event_ts_utc, client_tz, timezone(client_tz, event_ts_utc::TIMESTAMPTZ) "
        "FROM events USING SAMPLE 500 ROWS (reservoir, 3)").fetchall()
    con.close()
    zones = {tz for _, tz, _ in rows}
    assert len(zones) >= 5
    for utc, tz, local in rows:
        expected = utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        assert local == expected, (utc, tz)


def test_half_hour_zone_and_dst_day_lengths(practice_db: Path) -> None:
    con = duckdb.connect(str(practice_db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    kolkata = con.execute(
        "SELECT DISTINCT minute(timezone('Asia/Kolkata', event_ts_utc::TIMESTAMPTZ)) "
        "- minute(event_ts_utc) FROM events WHERE client_tz = 'Asia/Kolkata'").fetchall()
    con.close()
    assert {m for (m,) in kolkata} <= {30, -30}
    spring = datetime(2026, 3, 8, tzinfo=ZoneInfo("America/New_York"))
    assert spring.utcoffset() != datetime(2026, 3, 9, tzinfo=ZoneInfo("America/New_York")).utcoffset()


def test_unknown_knob_is_an_error() -> None:
    with pytest.raises(RecipeError, match="duplicate_rat"):
        load_recipe(knobs={"delivery.duplicate_rat": 0.1})


def test_a_killed_build_leaves_no_world_in_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "SQLDRILLS_CACHE_DIR": str(cache)}
    code = ("from sqldrills.world.cache import WorldSpec, world_path; "
            "world_path(WorldSpec(99, 'small'))")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.time() + 30
    while time.time() < deadline and not list(cache.glob("worlds/*.tmp")):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not list(cache.glob("worlds/*.duckdb")), "a killed build left a world behind"


def test_a_failing_build_reports_why_and_leaves_nothing(tmp_path: Path) -> None:
    from sqldrills.world.cache import WorldBuildError

    broken = WorldSpec(7, "tiny", knobs=(("activity.plays_per_session", [1.0]),))
    out = tmp_path / "broken.duckdb"
    with pytest.raises(WorldBuildError, match="ValueError"):
        build_to(broken, out)
    assert list(tmp_path.iterdir()) == []


def test_one_process_builds_several_worlds(tmp_path: Path) -> None:
    # Each build runs in its own process (DuckDB 2.0 can trip an internal assertion when
    # one process builds a second world); the caller can build many in a row.
    hashes = set()
    for seed in (11, 12, 13):
        out = tmp_path / f"w{seed}.duckdb"
        build_to(WorldSpec(seed, "tiny"), out)
        hashes.add(content_hash(out))
    assert len(hashes) == 3


def test_a_world_built_in_chunks_is_the_same_world(tmp_path: Path, practice_db: Path) -> None:
    # `large` generates events per chunk of accounts, each chunk in a process of its own:
    # the chunking must not change a single row, and must leave no scaffolding behind.
    from sqldrills.world.cache import practice_world

    spec = practice_world("tiny")
    chunked = WorldSpec(spec.seed, "tiny", knobs=(("generation.chunk_accounts", 400),))
    out = tmp_path / "chunked.duckdb"
    steps = []
    stats = build_to(chunked, out, progress=lambda what, done, total: steps.append(what))
    assert sum("events for accounts" in step for step in steps) == 4  # 1,500 accounts / 400
    assert content_hash(out) == content_hash(practice_db)
    con = duckdb.connect(str(out), read_only=True)
    try:
        tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()
    assert tables == set(TABLES)
    assert stats.rows["events"] > 0


def test_a_pass_that_hits_a_duckdb_internal_error_is_run_again(monkeypatch) -> None:
    # DuckDB 2.0 can fail a pass with an internal assertion; a pass is one INSERT that
    # rolls back, so it is run again from scratch (up to 3 times) and the bar says so.
    # Any other error stops the build at once.
    from sqldrills.world import generate

    outcomes = ["InternalException: INTERNAL Error: dict-surviving cache", "InternalException: "
                "INTERNAL Error: dict-surviving cache", None]
    monkeypatch.setattr(generate, "run_in_child", lambda *args: outcomes.pop(0))
    retries: list[int] = []
    generate._run_chunk_process(None, None, 7, "large", Path("x"), None, 0, 10, retries.append)
    assert retries == [2, 3] and outcomes == []

    outcomes[:] = ["OutOfMemoryException: Out of Memory Error", None]
    with pytest.raises(RuntimeError, match="accounts 0-10 failed: OutOfMemory"):
        generate._run_chunk_process(None, None, 7, "large", Path("x"), None, 0, 10, retries.append)
    assert retries == [2, 3]  # not retried


def test_world_paths_builds_what_is_missing_with_one_honest_bar(tmp_path, monkeypatch) -> None:
    """Missing worlds are built (two at a time) into the cache; the progress callback sees
    one bar over all of them that never goes back and ends full."""
    from sqldrills.world.cache import WorldSpec, cached_world_path, content_hash, world_paths

    monkeypatch.setenv("SQLDRILLS_CACHE_DIR", str(tmp_path))
    specs = [WorldSpec(31, "tiny"), WorldSpec(32, "tiny", as_of="2026-04-22 17:30:00")]
    seen: list[tuple[int, int]] = []
    paths = world_paths([*specs, specs[0]], lambda what, done, total: seen.append((done, total)))
    assert paths[0] == paths[2] == cached_world_path(specs[0]) and paths[1] == cached_world_path(specs[1])
    assert content_hash(paths[0]) != content_hash(paths[1])
    assert len({total for _, total in seen}) == 1
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and seen[-1][0] == seen[-1][1]
    assert world_paths(specs, lambda *a: seen.append(a)) == paths[:2] and len(seen[-1]) == 2  # built: no bar
