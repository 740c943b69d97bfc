"""An equivalent answer written in each supported dialect is judged correct; dialect
semantics (integer division, numeric sums, division by zero) survive the transpilation,
proven on real PostgreSQL and MariaDB servers (docs/dialects.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from sqldrills.catalog.challenges import Challenge, get, load_all
from sqldrills.grading.compare import Table, compare
from sqldrills.grading.grade import grade
from sqldrills.grading.references import REFERENCE_LIMITS
from sqldrills.grading.sandbox import QueryFailure, QueryResult, run_query, run_user_sql
from sqldrills.grading.sqlcheck import DIALECTS, prepare_query
from sqldrills.world.cache import practice_world, world_path
from sqldrills.world.schema import TABLES

_WHERE = "e.event_type = 'play_start' AND NOT a.is_test"

MEMBERS_NOT_DEVICES = {
    "duckdb": get("members_not_devices").reference,
    "postgres": f"""
        SELECT CAST(e.event_ts_utc AS DATE) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events e JOIN accounts a ON a.account_id = e.account_id
        WHERE {_WHERE}
          AND e.event_ts_utc >= (SELECT CAST(as_of_ts_utc AS DATE) - INTERVAL '7 days' FROM dataset_info)
          AND e.event_ts_utc < (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
        GROUP BY 1""",
    "bigquery": f"""
        SELECT DATE(e.event_ts_utc) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events AS e JOIN accounts AS a USING (account_id)
        WHERE {_WHERE}
          AND DATE(e.event_ts_utc) >= (SELECT DATE_SUB(DATE(as_of_ts_utc), INTERVAL 7 DAY) FROM dataset_info)
          AND DATE(e.event_ts_utc) < (SELECT DATE(as_of_ts_utc) FROM dataset_info)
        GROUP BY day""",
    "snowflake": f"""
        SELECT TO_DATE(e.event_ts_utc) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events e JOIN accounts a ON a.account_id = e.account_id
        WHERE {_WHERE}
          AND TO_DATE(e.event_ts_utc) >= (SELECT DATEADD(day, -7, TO_DATE(as_of_ts_utc)) FROM dataset_info)
          AND TO_DATE(e.event_ts_utc) < (SELECT TO_DATE(as_of_ts_utc) FROM dataset_info)
        GROUP BY 1""",
    "spark": f"""
        SELECT to_date(e.event_ts_utc) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events e JOIN accounts a ON a.account_id = e.account_id
        WHERE {_WHERE}
          AND to_date(e.event_ts_utc) >= (SELECT date_sub(to_date(as_of_ts_utc), 7) FROM dataset_info)
          AND to_date(e.event_ts_utc) < (SELECT to_date(as_of_ts_utc) FROM dataset_info)
        GROUP BY to_date(e.event_ts_utc)""",
    "trino": f"""
        SELECT CAST(e.event_ts_utc AS DATE) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events e JOIN accounts a ON a.account_id = e.account_id
        WHERE {_WHERE}
          AND CAST(e.event_ts_utc AS DATE) >= (SELECT date_add('day', -7, CAST(as_of_ts_utc AS DATE)) FROM dataset_info)
          AND CAST(e.event_ts_utc AS DATE) < (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
        GROUP BY 1""",
    "mysql": f"""
        SELECT DATE(e.event_ts_utc) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events e JOIN accounts a ON a.account_id = e.account_id
        WHERE {_WHERE}
          AND DATE(e.event_ts_utc) >= (SELECT DATE_SUB(DATE(as_of_ts_utc), INTERVAL 7 DAY) FROM dataset_info)
          AND DATE(e.event_ts_utc) < (SELECT DATE(as_of_ts_utc) FROM dataset_info)
        GROUP BY 1""",
}


def test_every_dialect_has_an_answer() -> None:
    assert set(MEMBERS_NOT_DEVICES) == set(DIALECTS)


@pytest.mark.parametrize("dialect", sorted(MEMBERS_NOT_DEVICES))
def test_equivalent_answer_in_each_dialect_is_correct(dialect: str) -> None:
    result = grade(get("members_not_devices"), MEMBERS_NOT_DEVICES[dialect], dialect=dialect)
    assert result.verdict == "correct", result.message


_POSTGRES_RETENTION = """
WITH members AS (
  SELECT account_id, signup_ts_utc, CAST(date_trunc('week', signup_ts_utc) AS DATE) AS cohort_week
  FROM accounts WHERE NOT is_test),
retained AS (
  SELECT DISTINCT m.account_id FROM members m JOIN events e ON e.account_id = m.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= m.signup_ts_utc + INTERVAL '28 days'
    AND e.event_ts_utc < m.signup_ts_utc + INTERVAL '35 days')
SELECT m.cohort_week, COUNT(*) AS cohort_size, COUNT(r.account_id) AS retained,
       {rate} AS retention_rate
FROM members m LEFT JOIN retained r ON r.account_id = m.account_id
WHERE m.cohort_week + INTERVAL '42 days' <= (SELECT as_of_ts_utc FROM dataset_info)
GROUP BY m.cohort_week ORDER BY m.cohort_week
"""


def test_postgres_integer_division_stays_integer_division() -> None:
    challenge = get("cohort_leakage")
    integer = grade(challenge, _POSTGRES_RETENTION.format(rate="COUNT(r.account_id) / COUNT(*)"),
                    dialect="postgres")
    assert integer.verdict == "misleading"
    real = grade(challenge, _POSTGRES_RETENTION.format(
        rate="COUNT(r.account_id)::float / COUNT(*)"), dialect="postgres")
    assert real.verdict == "correct", real.message


def test_untranspilable_answer_is_an_error_naming_the_problem() -> None:
    result = grade(get("members_not_devices"), "SELECT FROM WHERE (", dialect="postgres")
    assert result.verdict == "error"
    assert result.message


# --- Proven on the real engines ------------------------------------------------------------
#
# Every drill's reference, written in PostgreSQL (and MySQL), must give the DuckDB
# reference's result on the real engine AND, translated back by prepare_query, in the
# sandbox: the second proves the translation keeps the engine's semantics
# (sqldrills/grading/dialects.py). The servers come from `make engines`
# (scripts/engines.sh); without them these tests fail, they never skip.

ANSWERS = Path(__file__).parent / "dialects"
ENGINES_HINT = "start the test servers with `make engines` (scripts/engines.sh)"
POSTGRES_DSN = os.environ.get("SQLDRILLS_PG_DSN", "host=127.0.0.1 port=55432 user=sqldrills dbname=sqldrills")
MYSQL_URL = os.environ.get("SQLDRILLS_MYSQL_URL", "mysql://sqldrills@127.0.0.1:53306/sqldrills")
CHALLENGES = load_all()
# Each test session loads its world into a schema (database) of its own: sessions run
# side by side on the same servers.
_NAMESPACE = f"world_{os.getpid()}"

# The world's types in each engine. MySQL's TIMESTAMP is converted through the session
# time zone and ends in 2038; DATETIME(6) is a plain wall-clock value like DuckDB's.
_ENGINE_TYPES = {
    "postgres": {"VARCHAR": "TEXT"},
    "mysql": {"VARCHAR": "VARCHAR(255)", "TIMESTAMP": "DATETIME(6)", "INTEGER": "INT"},
}


def _create_table_sql(engine: str, table: str) -> str:
    types = _ENGINE_TYPES[engine]
    columns = ", ".join(f"{c.name} {types.get(c.type, c.type)}" for c in TABLES[table])
    return f"CREATE TABLE {table} ({columns})"


def _indexes_sql(table: str) -> list[str]:
    # Without indexes MariaDB joins events to itself by nested loops: minutes per drill.
    return [f"CREATE INDEX {table}_{c.name} ON {table} ({c.name})"
            for c in TABLES[table] if c.name.endswith("_id")]


@pytest.fixture(scope="module")
def tiny_world() -> Path:
    return world_path(practice_world("tiny"))


@pytest.fixture(scope="module")
def postgres(tiny_world: Path) -> Iterator[Any]:
    """A connection to the test PostgreSQL server holding the tiny world, loaded once."""
    import psycopg

    try:
        connection = psycopg.connect(POSTGRES_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(f"no PostgreSQL at {POSTGRES_DSN!r} ({error}); {ENGINES_HINT}")
    with connection, duckdb.connect(str(tiny_world), read_only=True) as world:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute(f"DROP SCHEMA IF EXISTS {_NAMESPACE} CASCADE")
        connection.execute(f"CREATE SCHEMA {_NAMESPACE}")
        connection.execute(f"SET search_path TO {_NAMESPACE}")
        for table, columns in TABLES.items():
            names = ", ".join(c.name for c in columns)
            connection.execute(_create_table_sql("postgres", table))
            with connection.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in world.execute(f"SELECT {names} FROM {table}").fetchall():
                    copy.write_row(row)
            for statement in [*_indexes_sql(table), f"ANALYZE {table}"]:
                connection.execute(statement)
        yield connection
        connection.execute(f"DROP SCHEMA {_NAMESPACE} CASCADE")


@pytest.fixture(scope="module")
def mysql(tiny_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A connection to the test MariaDB server holding the tiny world, loaded once."""
    import pymysql

    url = urlsplit(MYSQL_URL)
    try:
        connection = pymysql.connect(host=url.hostname, port=url.port or 3306, user=url.username,
                                     password=url.password or "", database=url.path.lstrip("/"),
                                     local_infile=True, autocommit=True, connect_timeout=5)
    except pymysql.MySQLError as error:
        pytest.fail(f"no MySQL/MariaDB at {MYSQL_URL!r} ({error}); {ENGINES_HINT}")
    folder = tmp_path_factory.mktemp("mysql-load")
    with connection, connection.cursor() as cursor, duckdb.connect(str(tiny_world), read_only=True) as world:
        # MySQL rounds `/` to 4 decimals by default (div_precision_increment); at its
        # maximum a ratio is exact to double precision, as the translation computes it.
        cursor.execute("SET SESSION div_precision_increment = 30")
        cursor.execute("SET SESSION time_zone = '+00:00'")
        cursor.execute("SET SESSION max_statement_time = 60")
        cursor.execute(f"DROP DATABASE IF EXISTS sqldrills_{_NAMESPACE}")
        cursor.execute(f"CREATE DATABASE sqldrills_{_NAMESPACE}")
        cursor.execute(f"USE sqldrills_{_NAMESPACE}")
        for table, columns in TABLES.items():
            csv = folder / f"{table}.csv"
            # MySQL loads booleans as 0/1 and NULLs as \N.
            select = ", ".join(f"CAST({c.name} AS INTEGER)" if c.type == "BOOLEAN" else c.name for c in columns)
            world.execute(f"COPY (SELECT {select} FROM {table}) TO '{csv}' (HEADER false, NULLSTR '\\N')")
            cursor.execute(_create_table_sql("mysql", table))
            cursor.execute(f"LOAD DATA LOCAL INFILE '{csv}' INTO TABLE {table} FIELDS TERMINATED BY ',' "
                           f"OPTIONALLY ENCLOSED BY '\"' ({', '.join(c.name for c in columns)})")
            for statement in [*_indexes_sql(table), f"ANALYZE TABLE {table}"]:
                cursor.execute(statement)
                cursor.fetchall()
        yield connection
        cursor.execute(f"DROP DATABASE sqldrills_{_NAMESPACE}")


def _engine_table(connection: Any, sql: str) -> Table:
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        return Table([d[0] for d in cursor.description], [tuple(row) for row in cursor.fetchall()])
    finally:
        cursor.close()


def _sandbox_table(sql: str, world: Path, dialect: str) -> Table:
    outcome = run_user_sql(sql, [world], dialect=dialect, limits=REFERENCE_LIMITS)[0]
    assert isinstance(outcome, QueryResult), f"the {dialect} SQL fails in DuckDB: {outcome.message}\n{sql}"
    return Table(outcome.columns, outcome.rows)


def _like(expected: Table, actual: Table) -> Table:
    """``actual`` with MySQL's 0/1 read as booleans where ``expected`` has booleans."""
    flags = [any(isinstance(row[i], bool) for row in expected.rows) for i in range(len(expected.columns))]
    rows = [tuple(bool(v) if flag and v is not None else v for v, flag in zip(row, flags, strict=True))
            for row in actual.rows]
    return Table(actual.columns, rows)


def _assert_same(challenge: Challenge, expected: Table, actual: Table, what: str, sql: str) -> None:
    result = compare(expected, actual, ordered=challenge.ordered, sort_keys=challenge.sort_keys,
                     tolerance=challenge.tolerance, key_columns=challenge.key_columns)
    assert result.equal, (f"{challenge.id}: {what} differ: {result.missing_columns or ''}"
                          f"{result.extra_columns or ''} {result.diffs[:3]}\n{sql}")


def engine_answer(challenge: Challenge, dialect: str) -> str:
    """The drill's answer in ``dialect``: hand-written where sqlglot's translation of the
    reference is wrong or does not run (tests/dialects/<dialect>/<drill>.sql), else it."""
    written = ANSWERS / dialect / f"{challenge.id}.sql"
    if written.exists():
        return written.read_text()
    return sqlglot.transpile(challenge.reference, read="duckdb", write=dialect,
                             unsupported_level=ErrorLevel.RAISE)[0]


def _prove(challenge: Challenge, connection: Any, dialect: str, world: Path) -> None:
    sql = engine_answer(challenge, dialect)
    reference = run_query(challenge.reference, [world], limits=REFERENCE_LIMITS)[0]
    assert isinstance(reference, QueryResult), reference
    expected = Table(reference.columns, reference.rows)
    on_engine = _like(expected, _engine_table(connection, sql))
    _assert_same(challenge, expected, on_engine, f"{dialect} and the DuckDB reference", sql)
    _assert_same(challenge, on_engine, _sandbox_table(sql, world, dialect),
                 f"{dialect} and its translation to DuckDB", sql)


@pytest.mark.parametrize("challenge", CHALLENGES, ids=lambda c: c.id)
def test_postgres_answer_agrees_on_postgres_and_translated(challenge: Challenge, postgres: Any,
                                                          tiny_world: Path) -> None:
    _prove(challenge, postgres, "postgres", tiny_world)


@pytest.mark.parametrize("challenge", CHALLENGES, ids=lambda c: c.id)
def test_mysql_answer_agrees_on_mariadb_and_translated(challenge: Challenge, mysql: Any, tiny_world: Path) -> None:
    _prove(challenge, mysql, "mysql", tiny_world)


def test_hand_written_answers_are_for_drills_that_exist() -> None:
    ids = {c.id for c in CHALLENGES}
    assert sorted(p.relative_to(ANSWERS).as_posix() for p in ANSWERS.glob("*/*.sql") if p.stem not in ids) == []


def test_the_docs_give_every_drills_outcome() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "dialects.md").read_text()
    assert [c.id for c in CHALLENGES if f"`{c.id}`" not in doc] == [], "add the drill to docs/dialects.md"


# PostgreSQL semantics the translation must keep, each a query whose DuckDB reading differs.
POSTGRES_PROBES = {
    "sum of bigint is numeric": "SELECT sum(account_id) / count(*) AS x FROM accounts",
    "sum of integer is bigint": "SELECT sum(runtime_min) / count(*) AS x FROM titles",
    "sum of count in a window": "SELECT plan, count(*) / sum(count(*)) OVER () AS share FROM accounts GROUP BY plan",
    "sum with a filter": "SELECT sum(account_id) FILTER (WHERE NOT is_test) / 7 AS x FROM accounts",
    "avg of integer is numeric": "SELECT avg(runtime_min) / 7 AS x, avg(runtime_min)::int / 7 AS y FROM titles",
    "sum of numeric": "SELECT plan, sum(monthly_price_usd) / count(*) AS x FROM subscriptions GROUP BY plan",
    "count by count": "SELECT count(*) FILTER (WHERE is_test) / count(*) AS x FROM accounts",
    "integer by integer": "SELECT max(runtime_min) / min(runtime_min) AS x, -7 / 2 AS y, 7 % -3 AS z FROM titles",
    "date minus date": "SELECT title_id, DATE '2026-05-01' - release_date AS days, "
                       "(DATE '2026-05-01' - release_date) / 7 AS weeks FROM titles",
    "date minus integer": "SELECT title_id, release_date - 3 AS d FROM titles",
    "extract is numeric": "SELECT title_id, EXTRACT(DOW FROM release_date) / 2 AS x FROM titles",
    "epoch of an interval": "SELECT subscription_id, EXTRACT(EPOCH FROM ended_ts_utc - started_ts_utc) / 86400 AS d "
                            "FROM subscriptions WHERE ended_ts_utc IS NOT NULL",
    "sum of a bigint expression": "SELECT account_id, sum(watch_seconds) / 60 AS m FROM events GROUP BY account_id",
}


@pytest.mark.parametrize("sql", POSTGRES_PROBES.values(), ids=POSTGRES_PROBES.keys())
def test_postgres_semantics_survive_translation(sql: str, postgres: Any, tiny_world: Path) -> None:
    on_postgres = _engine_table(postgres, sql)
    translated = _sandbox_table(sql, tiny_world, "postgres")
    result = compare(on_postgres, translated)
    assert result.equal, f"{result.diffs[:3]}\n{prepare_query(sql, dialect='postgres')}"


@pytest.mark.parametrize("sql", [
    "SELECT count(*) / 0 AS x FROM accounts",
    "SELECT 0.0 / 0 AS x",
    "SELECT account_id / (count(*) - count(*)) AS x FROM accounts GROUP BY account_id",
    "SELECT sum(runtime_min)::float8 / min(runtime_min - runtime_min) AS x FROM titles",
])
def test_postgres_division_by_zero_is_postgres_error(sql: str, postgres: Any, tiny_world: Path) -> None:
    import psycopg

    with pytest.raises(psycopg.errors.DivisionByZero):
        _engine_table(postgres, sql)
    outcome = run_user_sql(sql, [tiny_world], dialect="postgres")[0]
    assert isinstance(outcome, QueryFailure) and "division by zero" in outcome.message, outcome


def test_postgres_division_guard_only_raises_for_zero(postgres: Any, tiny_world: Path) -> None:
    # CASE keeps rows with a zero denominator away from the division, in both engines.
    sql = ("SELECT title_id, CASE WHEN runtime_min - 90 <> 0 THEN 1000 / (runtime_min - 90) END AS x "
           "FROM titles")
    assert compare(_engine_table(postgres, sql), _sandbox_table(sql, tiny_world, "postgres")).equal


@pytest.mark.parametrize("sql", [
    "SELECT title_id, 7 DIV 0 AS b, runtime_min % 0 AS c, runtime_min / (runtime_min - runtime_min) AS d FROM titles",
    "SELECT count(*) / 0 AS a FROM titles",
    "SELECT count(*) / 3 AS a, 7 DIV 2 AS b, -7 DIV 2 AS c, sum(runtime_min) / count(*) AS d FROM titles",
    "SELECT title_id, WEEKDAY(release_date) AS w, DAYOFWEEK(release_date) AS d FROM titles",
    "SELECT account_id, CONVERT_TZ(signup_ts_utc, '+00:00', home_tz) AS home, "
    "CONVERT_TZ(signup_ts_utc, '+00:00', '-03:30') AS newfoundland FROM accounts",
])
def test_mysql_semantics_survive_translation(sql: str, mysql: Any, tiny_world: Path) -> None:
    # MySQL divides exactly and gives NULL (not an error) for a zero denominator; its weekday
    # numbers and offset time zones differ from DuckDB's functions of the same names.
    result = compare(_engine_table(mysql, sql), _sandbox_table(sql, tiny_world, "mysql"))
    assert result.equal, f"{result.diffs[:3]}\n{prepare_query(sql, dialect='mysql')}"


def test_a_translation_too_large_to_type_is_refused_at_once() -> None:
    from sqldrills.grading.sqlcheck import MAX_TRANSLATED_SOURCES, Refused, prepare_query

    # Typing it would take minutes in the grader, before any time limit applies.
    joins = "SELECT count(*) AS n FROM accounts a0" + "".join(f" NATURAL JOIN accounts a{i}" for i in range(1, 500))
    with pytest.raises(Refused, match=f"more than the {MAX_TRANSLATED_SOURCES} a translation"):
        prepare_query(joins, dialect="postgres")
    prepare_query(joins, dialect="duckdb")  # DuckDB answers are not translated
