"""The SQL sandbox: what sqlcheck refuses and why, what the child process runs and
returns, and how the parent survives children that hang, crash, or lie.

Everything runs for real: DuckDB files built from the public schema, forked children.
The hostile corpus (tests/test_hostile.py) covers the long list of attacks; this file
covers the behaviours one at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import pickle
import signal
import struct
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sqldrills.grading import duckdbcheck
from sqldrills.grading.sandbox import (
    Limits,
    QueryFailure,
    QueryResult,
    await_child,
    expected_settings,
    run_query,
    run_user_sql,
)
from sqldrills.grading.sqlcheck import DIALECTS, Refused, prepare_query
from sqldrills.world.schema import TABLE_NAMES, create_table_sql

WORLD_ROWS = Path(__file__).parent / "hostile" / "world.sql"
FAST = Limits(timeout_s=1.0, kill_grace_s=1.0, memory_limit_mb=256)


def build_world(path: Path, extra_sql: str = "") -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(";\n".join(create_table_sql(table) for table in sorted(TABLE_NAMES)))
        con.execute(WORLD_ROWS.read_text(encoding="utf-8") + extra_sql)
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("practice") / "practice.duckdb")


@pytest.fixture(scope="module")
def hidden_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    extra = """;
        INSERT INTO accounts VALUES (4, TIMESTAMP '2024-03-04 00:00:00', 'AU',
          'Australia/Sydney', 'basic', false, 'd@example.com', 'tv')"""
    return build_world(tmp_path_factory.mktemp("hidden") / "hidden_seed_42.duckdb", extra)


def fingerprint(world: Path) -> tuple[str, list[str]]:
    """The world's bytes and what lies next to it (a WAL or temp file would show)."""
    digest = hashlib.sha256(world.read_bytes()).hexdigest()
    return digest, sorted(path.name for path in world.parent.iterdir())


@pytest.fixture
def without_tree_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Layer 2's check of DuckDB's parse tree off, to show what the configuration holds
    alone (the child is forked from this process: it inherits the patch)."""
    monkeypatch.setattr(duckdbcheck, "refusal", lambda con, sql, world_tables: None)


def only(outcomes: list[QueryResult | QueryFailure]) -> QueryResult | QueryFailure:
    assert len(outcomes) == 1
    return outcomes[0]


# --- sqlcheck: what is refused, and what the learner is told ---------------------------


def test_a_duckdb_answer_runs_exactly_as_written() -> None:
    sql = "SELECT plan, count(*) AS n\nFROM accounts -- members\nGROUP BY ALL"
    assert prepare_query(sql) == sql


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("SELECT 1 FROM", "syntax error in the duckdb SQL at line 1, column 13"),
        ("SELECT *\nFROM accounts\nWHERE (plan = 'ads'", "at line 3"),
        ("", "the query is empty"),
        ("   \n-- just a comment\n", "the query is empty"),
        ("SELECT 1; SELECT 2", "only one SELECT query is allowed, found 2 statements"),
        ("DROP TABLE accounts", "is allowed, not DROP"),
        ("INSERT INTO accounts SELECT * FROM accounts", "not INSERT"),
        ("CREATE TEMP TABLE t AS SELECT 1", "not CREATE TABLE"),
        ("COPY accounts TO 'x.csv'", "not COPY"),
        ("ATTACH 'x.duckdb' AS x", "not ATTACH"),
        ("LOAD httpfs", "not LOAD"),
        ("SET threads = 64", "not SET"),
        ("PRAGMA database_list", "not PRAGMA"),
        ("BEGIN", "not TRANSACTION"),
        ("WITH d AS (DELETE FROM events RETURNING *) SELECT * FROM d", "DELETE inside a query"),
        ("SELECT * FROM nonsense", "unknown table 'nonsense'; the world's tables are: accounts"),
        ("SELECT * FROM 'events.parquet'", "reading files is not allowed ('events.parquet')"),
        ("SELECT * FROM other.main.accounts", "write the table name alone (accounts)"),
        ("SELECT * FROM information_schema.columns", "run `sqldrills schema`"),
        ("SELECT * FROM read_parquet('x')", "read_parquet() is not allowed"),
        ("SELECT * FROM query_table('accounts')", "query_table() is not allowed"),
        ("SELECT * FROM repeat(1, 3)", "only range(), generate_series() and unnest()"),
        ("SELECT getenv('HOME') AS h", "getenv() is not allowed"),
        ("SELECT current_setting('threads') AS t", "current_setting() is not allowed"),
        ("SELECT * FROM accounts WHERE account_id = ?", "query parameters like ? are not"),
        ("SELECT 'a\x00b' AS s", "NUL byte at line 1, column 10"),
        ("SELECT 1\n, 'caf\udce9' AS s", "not valid UTF-8 (bad byte at line 2, column 7)"),
        ("SELECT " + "x" * 200_000, "the limit is 100,000"),
        ("SELECT " + "(" * 3000 + "1" + ")" * 3000, "nested too deeply"),
    ],
)
def test_refusals_name_what_was_refused(sql: str, fragment: str) -> None:
    with pytest.raises(Refused) as refused:
        prepare_query(sql)
    assert refused.value.message.startswith("Refused: ")
    assert fragment in refused.value.message
    assert "\n" not in refused.value.message


def test_ctes_and_generated_rows_are_allowed_sources() -> None:
    sql = """WITH RECURSIVE days(d) AS (SELECT 1 UNION ALL SELECT d + 1 FROM days WHERE d < 3),
             active AS (SELECT account_id FROM events)
             SELECT * FROM days, active, range(2) AS r(i), unnest([1, 2]) AS u(j),
                    generate_series(1, 2) AS g(k)"""
    assert prepare_query(sql) == sql


def test_tables_argument_defines_what_may_be_read() -> None:
    tables = {"scores": {"learner": "VARCHAR", "points": "INTEGER"}}
    assert prepare_query("SELECT learner FROM scores", tables=tables)
    with pytest.raises(Refused, match="unknown table 'accounts'; the world's tables are: scores"):
        prepare_query("SELECT * FROM accounts", tables=tables)


def test_an_unknown_dialect_is_a_usage_error_not_a_refusal() -> None:
    with pytest.raises(ValueError, match="unknown dialect 'oracle'"):
        prepare_query("SELECT 1", dialect="oracle")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_translates_a_plain_answer(dialect: str, world: Path) -> None:
    sql = "SELECT plan, COUNT(*) AS members FROM accounts GROUP BY plan ORDER BY plan"
    result = only(run_user_sql(sql, [world], dialect=dialect))
    assert isinstance(result, QueryResult), result
    assert result.rows == [("ads", 1), ("premium", 1), ("standard", 1)]


def test_a_dialect_feature_duckdb_lacks_is_refused_with_sqlglots_reason() -> None:
    with pytest.raises(Refused, match="cannot be translated to DuckDB: Locking reads"):
        prepare_query("SELECT * FROM accounts FOR UPDATE", dialect="postgres")


def test_integer_division_keeps_the_source_dialects_meaning(world: Path) -> None:
    sql = "SELECT 7 / 2 AS half, runtime_min / 60 AS hours FROM titles ORDER BY title_id"
    postgres = only(run_user_sql(sql, [world], dialect="postgres"))
    assert isinstance(postgres, QueryResult), postgres
    assert postgres.rows == [(3, 2), (3, 0), (3, 0)]
    bigquery = only(run_user_sql(sql, [world], dialect="bigquery"))
    assert isinstance(bigquery, QueryResult), bigquery
    assert bigquery.rows[0] == (3.5, pytest.approx(125 / 60))


# --- run_query: results ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "rows"),
    [
        (
            "WITH players AS (SELECT DISTINCT account_id FROM events "
            "WHERE event_type = 'play_start') SELECT count(*) AS n FROM players",
            [(1,)],
        ),
        (
            "SELECT country FROM accounts WHERE plan = 'ads' UNION ALL SELECT 'XX' ORDER BY country",
            [("JP",), ("XX",)],
        ),
        ("SELECT sum(range) AS total FROM range(5)", [(10,)]),
        (
            "SELECT account_id, row_number() OVER (ORDER BY signup_ts_utc DESC) AS newest "
            "FROM accounts ORDER BY account_id",
            [(1, 3), (2, 2), (3, 1)],
        ),
        (
            "SELECT a.account_id, count(DISTINCT d.device_id) AS devices FROM accounts a "
            "LEFT JOIN devices d USING (account_id) GROUP BY 1 ORDER BY 1",
            [(1, 2), (2, 1), (3, 1)],
        ),
        ("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)", [(1, "a"), (2, "b")]),
        (
            "SELECT strftime(signup_ts_utc AT TIME ZONE 'UTC' AT TIME ZONE home_tz, '%H:%M')"
            " AS local FROM accounts ORDER BY account_id",
            [("03:00",), ("05:00",), ("21:00",)],
        ),
        ("SELECT list_transform([1, 2], x -> x * 10) AS l", [([10, 20],)]),
    ],
    ids=["cte", "union", "range", "window", "join", "values", "time_zone", "lambda"],
)
def test_valid_queries_return_their_rows(sql: str, rows: list[tuple], world: Path) -> None:
    result = only(run_user_sql(sql, [world]))
    assert isinstance(result, QueryResult), result
    assert result.rows == rows
    assert not result.truncated
    assert result.elapsed_ms > 0


def test_one_outcome_per_world_in_order(world: Path, hidden_world: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    outcomes = run_query("SELECT count(*) AS members FROM accounts", [hidden_world, missing, world, hidden_world])
    assert [getattr(o, "rows", None) for o in outcomes] == [[(4,)], None, [(3,)], [(4,)]]
    assert isinstance(outcomes[1], QueryFailure)
    assert outcomes[1].kind == "runtime"
    assert "could not open world 2 (missing.duckdb)" in outcomes[1].message
    assert not missing.exists()


def test_columns_and_types_come_back_with_the_rows(world: Path) -> None:
    result = only(run_query("SELECT account_id, plan, is_test FROM accounts LIMIT 1", [world]))
    assert isinstance(result, QueryResult)
    assert result.columns == ["account_id", "plan", "is_test"]
    assert result.types == ["BIGINT", "VARCHAR", "BOOLEAN"]


def test_rows_are_capped_at_max_rows(world: Path) -> None:
    limits = Limits(max_rows=5)
    capped = only(run_query("SELECT * FROM range(1000000000000)", [world], limits=limits))
    assert isinstance(capped, QueryResult)
    assert capped.rows == [(i,) for i in range(5)]
    assert capped.truncated
    exact = only(run_query("SELECT * FROM range(5)", [world], limits=limits))
    assert isinstance(exact, QueryResult)
    assert len(exact.rows) == 5
    assert not exact.truncated


def test_odd_types_arrive_as_python_values(world: Path) -> None:
    sql = """SELECT 1.50::DECIMAL(6, 2) AS price, DATE '2024-03-01' AS day,
        TIMESTAMP '2024-03-01 08:00:00' AS ts, TIME '23:59:59' AS t,
        INTERVAL 90 MINUTE AS gap, '5f0c4c7e-1d2b-4c55-9a0e-2f7a4f0c9d11'::UUID AS id,
        [1, NULL, 3] AS list, {'plan': 'ads', 'seats': 2} AS struct, MAP {'a': 1} AS map,
        'bytes'::BLOB AS blob, 170141183460469231731687303715884105727::HUGEINT AS huge,
        'nan'::DOUBLE AS nan, NULL AS nothing, repeat('x', 5000000) AS long_text"""
    result = only(run_query(sql, [world]))
    assert isinstance(result, QueryResult), result
    (row,) = result.rows
    assert row[:12] == (
        Decimal("1.50"),
        dt.date(2024, 3, 1),
        dt.datetime(2024, 3, 1, 8, 0),
        dt.time(23, 59, 59),
        dt.timedelta(minutes=90),
        uuid.UUID("5f0c4c7e-1d2b-4c55-9a0e-2f7a4f0c9d11"),
        [1, None, 3],
        {"plan": "ads", "seats": 2},
        {"a": 1},
        b"bytes",
        2**127 - 1,
        pytest.approx(float("nan"), nan_ok=True),
    )
    assert row[12] is None
    assert row[13] == "x" * 5_000_000
    assert result.types[:3] == ["DECIMAL(6,2)", "DATE", "TIMESTAMP"]


def test_a_result_too_large_for_the_pipe_fails_instead_of_truncating(world: Path) -> None:
    limits = Limits(max_result_mb=1)
    failure = only(run_query("SELECT repeat('x', 100000) AS s FROM range(50)", [world], limits=limits))
    assert isinstance(failure, QueryFailure)
    assert failure.kind == "memory"
    assert "too large to return (5 MB; the limit is 1 MB)" in failure.message


# --- run_query: the engine's settings -----------------------------------------------------


def test_every_setting_is_in_force_while_the_query_runs(world: Path, without_tree_check: None) -> None:
    limits = Limits(threads=1, memory_limit_mb=300)
    names = list(expected_settings(limits))
    sql = "SELECT " + ", ".join(f"current_setting('{name}') AS \"{name}\"" for name in names)
    result = only(run_query(sql, [world], limits=limits))  # sqlcheck and layer 2 would refuse this
    assert isinstance(result, QueryResult), result
    settings = dict(zip(result.columns, result.rows[0], strict=True))
    assert settings == expected_settings(limits)
    assert settings["enable_external_access"] is False
    assert settings["autoload_known_extensions"] is False
    assert settings["autoinstall_known_extensions"] is False
    assert settings["lock_configuration"] is True
    assert settings["TimeZone"] == "UTC"
    assert settings["threads"] == 1
    assert settings["memory_limit"] == "300.0 MiB"
    assert settings["temp_directory"] == ""


def test_the_engine_blocks_files_even_without_sqlcheck(world: Path, without_tree_check: None) -> None:
    failure = only(run_query("SELECT * FROM read_text('/etc/hostname')", [world]))
    assert isinstance(failure, QueryFailure)
    assert failure.kind == "runtime"
    assert "disabled by configuration" in failure.message


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("SELECT 1; SELECT 2", "found 2 statements"),
        ("COPY (SELECT 1) TO 'out.csv'", "not COPY"),
        ("SET lock_configuration = false", "not SET"),
        ("CHECKPOINT", "not CALL"),  # DuckDB runs a checkpoint as a CALL
    ],
)
def test_duckdbs_own_parser_refuses_what_is_not_one_select(sql: str, fragment: str, world: Path) -> None:
    failure = only(run_query(sql, [world]))
    assert isinstance(failure, QueryFailure)
    assert failure.kind == "refused"
    assert fragment in failure.message


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("SELECT * FROM duckdb_databases", "table 'duckdb_databases' is neither one of the world's tables"),
        ("SELECT * FROM (WITH pg_settings AS (SELECT 1) SELECT 1) s, pg_settings", "table 'pg_settings'"),
        ("SELECT count(*) AS n FROM world_1.main.accounts", "table world_1.main.accounts is not one"),
        ("SELECT * FROM (SHOW DATABASES)", "SHOW REF in FROM is not allowed"),
        ("SELECT current_setting('threads') AS t", "current_setting() is not allowed"),
        ("SELECT main.abs(1) AS a", "main.abs(): write function names without a schema"),
        ("SELECT * FROM read_text('/etc/hostname')", "read_text() is not allowed in FROM"),
        ("SELECT 1 AS one\u200b", "U+200B ZERO WIDTH SPACE"),
    ],
)
def test_duckdbs_parse_tree_is_checked_in_the_child(sql: str, fragment: str, world: Path) -> None:
    failure = only(run_query(sql, [world]))
    assert isinstance(failure, QueryFailure)
    assert failure.kind == "refused"
    assert fragment in failure.message


def test_the_parse_tree_check_reads_the_worlds_own_tables(tmp_path: Path) -> None:
    path = tmp_path / "scores.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE Scores AS SELECT 1 AS points")
    result = only(run_query("WITH s AS (SELECT * FROM scores) SELECT s.points FROM main.SCORES, s", [path]))
    assert isinstance(result, QueryResult), result
    assert result.rows == [(1,)]


def test_a_world_is_detached_before_the_next_one_is_queried(world: Path, hidden_world: Path, without_tree_check: None) -> None:
    # sqlcheck refuses catalog names; this shows the engine's own isolation behind it.
    outcomes = run_query("SELECT count(*) AS n FROM world_1.main.accounts", [world, hidden_world])
    assert isinstance(outcomes[0], QueryResult)
    assert outcomes[0].rows == [(3,)]
    assert isinstance(outcomes[1], QueryFailure)
    assert outcomes[1].kind == "runtime"
    assert "world_1" in outcomes[1].message


def test_runtime_errors_are_short_and_learner_facing(world: Path) -> None:
    failure = only(run_user_sql("SELECT plann FROM accounts", [world]))
    assert isinstance(failure, QueryFailure)
    assert failure.kind == "runtime"
    assert failure.message.startswith('Binder Error: Referenced column "plann" not found')
    assert "LINE 1" not in failure.message
    assert "Traceback" not in failure.message


# --- run_query: resource limits ----------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n FROM r) SELECT count(*) FROM r",
        "SELECT count(*) FROM range(1000000) AS a, range(1000000) AS b",
    ],
    ids=["endless_recursive_cte", "cross_join"],
)
def test_a_slow_query_times_out_and_the_grader_carries_on(sql: str, world: Path) -> None:
    before = fingerprint(world)
    started = time.monotonic()
    outcomes = run_query(sql, [world, world], limits=FAST)
    took = time.monotonic() - started
    assert [o.kind for o in outcomes if isinstance(o, QueryFailure)] == ["timeout", "timeout"]
    assert "did not finish within the 1 s time limit" in outcomes[0].message
    assert "not run" in outcomes[1].message  # no second wait for the same query
    assert took < FAST.timeout_s + FAST.kill_grace_s + 1.0
    assert fingerprint(world) == before
    assert only(run_query("SELECT 1 AS ok", [world])).rows == [(1,)]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT length(repeat('x', 1000000000)) AS n",
        "SELECT length(string_agg(repeat('x', 1000), '')) AS n FROM range(10000000)",
    ],
    ids=["repeat", "string_agg"],
)
def test_a_memory_blowup_fails_and_the_grader_survives(sql: str, world: Path) -> None:
    before = fingerprint(world)
    failure = only(run_query(sql, [world], limits=FAST))
    assert isinstance(failure, QueryFailure)
    assert failure.kind in ("memory", "runtime"), failure
    assert fingerprint(world) == before
    assert only(run_query("SELECT 1 AS ok", [world])).rows == [(1,)]


# --- the parent against misbehaving children ---------------------------------------------


def fork_child(behaviour: Callable[[int], object]) -> tuple[int, int]:
    """Fork a stand-in for the sandbox child that does ``behaviour(write_fd)``."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_fd)
            behaviour(write_fd)
        finally:
            os._exit(0)
    os.close(write_fd)
    return pid, read_fd


def frame(message: object) -> bytes:
    payload = pickle.dumps(message)
    return struct.pack("!Q", len(payload)) + payload


OK_FRAME = frame(("ok", ["x"], ["INTEGER"], [(1,)], False, 1.0))
QUICK = Limits(timeout_s=0.3, kill_grace_s=0.3)


def test_a_child_that_never_answers_is_killed_on_time() -> None:
    pid, read_fd = fork_child(lambda fd: time.sleep(60))
    started = time.monotonic()
    outcomes = await_child(pid, read_fd, 2, QUICK)
    assert time.monotonic() - started < 1.5
    assert [o.kind for o in outcomes if isinstance(o, QueryFailure)] == ["timeout", "timeout"]
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already reaped: no zombie left behind


def test_a_child_that_dies_midway_is_reported_per_world() -> None:
    def answer_once_then_die(fd: int) -> None:
        os.write(fd, OK_FRAME)
        os.kill(os.getpid(), signal.SIGTERM)

    pid, read_fd = fork_child(answer_once_then_die)
    first, second, third = await_child(pid, read_fd, 3, QUICK)
    assert isinstance(first, QueryResult)
    assert isinstance(second, QueryFailure)
    assert second.kind == "crashed"
    assert "world 2 (signal SIGTERM)" in second.message
    assert isinstance(third, QueryFailure)
    assert third.kind == "crashed"
    assert "not run" in third.message


def test_a_child_killed_by_the_system_is_reported_as_memory() -> None:
    pid, read_fd = fork_child(lambda fd: os.kill(os.getpid(), signal.SIGKILL))
    failure = only(await_child(pid, read_fd, 1, QUICK))
    assert isinstance(failure, QueryFailure)
    assert failure.kind == "memory"


def test_the_parent_never_unpickles_anything_but_values(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple:
            return (os.system, (f"touch {marker}",))

    pid, read_fd = fork_child(lambda fd: os.write(fd, frame(("ok", Exploit()))))
    failure = only(await_child(pid, read_fd, 1, QUICK))
    assert isinstance(failure, QueryFailure)
    assert failure.kind == "crashed"
    assert "unreadable result" in failure.message
    assert not marker.exists()


def test_an_oversized_frame_is_not_read() -> None:
    pid, read_fd = fork_child(lambda fd: os.write(fd, struct.pack("!Q", 2**40)))
    failure = only(await_child(pid, read_fd, 1, QUICK))
    assert isinstance(failure, QueryFailure)
    assert failure.kind == "crashed"


# --- where the sandbox can be called from -------------------------------------------------


def test_concurrent_submissions_from_threads_do_not_mix(world: Path) -> None:
    def submit(n: int) -> list:
        return only(run_query(f"SELECT {n} AS n, count(*) AS c FROM accounts", [world])).rows

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(submit, range(8)))
    assert results == [[(n, 3)] for n in range(8)]


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_process_pool_workers_can_run_submissions(start_method: str, world: Path) -> None:
    context = multiprocessing.get_context(start_method)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        outcome = pool.submit(run_query, "SELECT count(*) AS n FROM events", [world]).result()
    assert outcome[0].rows == [(8,)]


def test_daemonic_pool_workers_can_run_submissions(world: Path) -> None:
    # multiprocessing.Pool workers are daemonic and may not start multiprocessing children;
    # the sandbox forks by itself, so it works there too.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        outcome = pool.apply(run_query, ("SELECT 2 AS n", [world]))
    assert outcome[0].rows == [(2,)]


def test_a_sandbox_started_before_its_query_is_known_runs_it_or_ends_cleanly() -> None:
    # `check` forks its sandbox before sqlglot has looked at the answer; a refused answer
    # cancels it, and the child must not outlive that.
    from sqldrills.grading.sandbox import Sandbox

    pending = Sandbox.start([":memory:", ":memory:"]).run("SELECT 6 * 7 AS answer")
    assert [o.rows for o in pending()] == [[(42,)], [(42,)]]
    # Longer than a pipe's buffer: the child reads it once its set-up is done.
    long_query = "SELECT 6 * 7 AS answer" + " " * 300_000
    assert Sandbox.start([":memory:"]).run(long_query)()[0].rows == [(42,)]
    sandbox = Sandbox.start([":memory:"])
    pid = sandbox._pid
    sandbox.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie, no orphan


def test_one_child_runs_many_queries_each_checked_and_limited_alone(world: Path, hidden_world: Path) -> None:
    from sqldrills.grading.sandbox import Sandbox

    queries = [
        "SELECT count(*) AS n FROM accounts",
        "DELETE FROM accounts",  # refused by DuckDB's own parser, on every world
        "SELECT count(*) AS n FROM range(10000000000) a, range(100000) b",  # times out on world 1
        "SELECT count(*) AS n FROM accounts WHERE is_test",
    ]
    limits = Limits(timeout_s=0.5, kill_grace_s=1.0)
    counted, refused, slow, tests = Sandbox.start([world, hidden_world], limits=limits).run_many(queries)()
    one_by_one = [run_query(queries[0], [world, hidden_world]), run_query(queries[3], [world, hidden_world])]
    assert [o.rows for o in counted] == [o.rows for o in one_by_one[0]]
    assert [o.rows for o in tests] == [o.rows for o in one_by_one[1]]
    assert [o.kind for o in refused] == ["refused", "refused"]
    assert [o.kind for o in slow] == ["timeout", "timeout"]
    assert "not run" in slow[1].message and "world 1" in slow[1].message


def test_a_query_stream_cut_short_is_not_taken_for_fewer_queries() -> None:
    from sqldrills.grading.sandbox import _frame, _receive_queries

    read_fd, write_fd = os.pipe()
    os.write(write_fd, struct.pack("!Q", 2) + _frame(b"SELECT 1"))  # announced two, sent one
    os.close(write_fd)
    assert _receive_queries(read_fd) is None
    read_fd, write_fd = os.pipe()
    os.write(write_fd, struct.pack("!Q", 2) + _frame(b"SELECT 1") + _frame(b"SELECT 2"))
    os.close(write_fd)
    assert _receive_queries(read_fd) == ["SELECT 1", "SELECT 2"]


@pytest.mark.parametrize("message", [
    (),
    {},
    ("ok", ["a"], ["INTEGER"], [(1, 2)], False, 1.0),  # a row wider than the columns
    ("ok", ["a"], ["INTEGER"], [[1]], False, 1.0),  # a row that is not a tuple
    ("ok", ["a"], ["INTEGER"], [({1, 2},)], False, 1.0),  # a set is not a plain value
    ("ok", ["a"], ["INTEGER"], [(1,)], False, "fast"),
    ("fail", "runtime"),
])
def test_the_parent_accepts_only_the_shapes_the_child_sends(message: object) -> None:
    from sqldrills.grading.sandbox import _decode

    with pytest.raises(ValueError):
        _decode(pickle.dumps(message))


def test_when_the_child_dies_the_other_queries_are_told_so() -> None:
    from sqldrills.grading.sandbox import _explain_early_end

    status = signal.SIGSEGV  # a raw wait status: killed by SIGSEGV
    outcomes = _explain_early_end(1, 6, "eof", status, Limits(), queries=3)
    assert [o.kind for o in outcomes] == ["crashed"] * 5
    assert "ended unexpectedly on world 1" in outcomes[0].message  # query 2 on world 1
    assert outcomes[1].message == "not run: the sandbox ended while running another query on world 1"
    assert outcomes[3].message == "not run: the query already failed (crashed) on world 1"  # query 2, world 2
