"""Every value DuckDB can return comes back: the type zoo through the real sandbox child, the
CLI's text, CSV and JSON, `check` and the take-home JSON records; what each type becomes is
the table in ``sqldrills.grading.values``."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from click.testing import CliRunner

from sqldrills.catalog.challenges import get
from sqldrills.cli.commands import main
from sqldrills.grading.sandbox import QueryResult, run_query, run_user_sql
from sqldrills.grading.values import PLAIN_TYPES, display, plain

IST = timezone(timedelta(hours=5, minutes=30))

# name, DuckDB literal, the plain value, how it reads on screen, how it reads in JSON
ZOO: list[tuple[str, str, object, str, object]] = [
    ("boolean", "true", True, "True", True),
    ("tinyint", "(-128)::TINYINT", -128, "-128", -128),
    ("smallint", "(-32768)::SMALLINT", -32768, "-32768", -32768),
    ("integer", "2147483647::INTEGER", 2147483647, "2147483647", 2147483647),
    ("bigint", "9223372036854775807::BIGINT", 2**63 - 1, str(2**63 - 1), 2**63 - 1),
    ("hugeint", "170141183460469231731687303715884105727::HUGEINT", 2**127 - 1, str(2**127 - 1), 2**127 - 1),
    ("utinyint", "255::UTINYINT", 255, "255", 255),
    ("usmallint", "65535::USMALLINT", 65535, "65535", 65535),
    ("uinteger", "4294967295::UINTEGER", 2**32 - 1, str(2**32 - 1), 2**32 - 1),
    ("ubigint", "18446744073709551615::UBIGINT", 2**64 - 1, str(2**64 - 1), 2**64 - 1),
    ("uhugeint", "340282366920938463463374607431768211455::UHUGEINT", 2**128 - 1, str(2**128 - 1), 2**128 - 1),
    ("bignum", "'123456789012345678901234567890123456789012345'::BIGNUM", 123456789012345678901234567890123456789012345,
     "123456789012345678901234567890123456789012345", 123456789012345678901234567890123456789012345),
    ("decimal", "1.50::DECIMAL(6,2)", Decimal("1.50"), "1.50", 1.5),
    ("decimal_38", "12345678901234567890123456789.123456789::DECIMAL(38,9)",
     Decimal("12345678901234567890123456789.123456789"), "12345678901234567890123456789.123456789",
     1.2345678901234568e28),
    ("float", "0.5::FLOAT", 0.5, "0.5", 0.5),
    ("double", "0.1::DOUBLE", 0.1, "0.1", 0.1),
    ("nan", "'nan'::DOUBLE", math.nan, "NaN", "NaN"),
    ("infinity", "'inf'::DOUBLE", math.inf, "Infinity", "Infinity"),
    ("minus_infinity", "'-inf'::FLOAT", -math.inf, "-Infinity", "-Infinity"),
    ("minus_zero", "'-0.0'::DOUBLE", -0.0, "-0.0", -0.0),
    ("date", "DATE '2024-02-29'", date(2024, 2, 29), "2024-02-29", "2024-02-29"),
    ("date_infinity", "'infinity'::DATE", date.max, "9999-12-31", "9999-12-31"),
    ("date_minus_infinity", "'-infinity'::DATE", date.min, "0001-01-01", "0001-01-01"),
    ("date_bc", "DATE '0044-03-15 (BC)'", "0044-03-15 (BC)", "0044-03-15 (BC)", "0044-03-15 (BC)"),
    ("time", "TIME '12:34:56.789'", time(12, 34, 56, 789000), "12:34:56.789000", "12:34:56.789000"),
    ("timetz", "TIMETZ '12:34:56+05:30'", time(12, 34, 56, tzinfo=IST), "12:34:56+05:30", "12:34:56+05:30"),
    ("timestamp_s", "TIMESTAMP_S '2024-03-10 01:02:03'", datetime(2024, 3, 10, 1, 2, 3),
     "2024-03-10 01:02:03", "2024-03-10 01:02:03"),
    ("timestamp_ms", "TIMESTAMP_MS '2024-03-10 01:02:03.123'", datetime(2024, 3, 10, 1, 2, 3, 123000),
     "2024-03-10 01:02:03.123000", "2024-03-10 01:02:03.123000"),
    ("timestamp", "TIMESTAMP '2024-03-10 01:02:03.456789'", datetime(2024, 3, 10, 1, 2, 3, 456789),
     "2024-03-10 01:02:03.456789", "2024-03-10 01:02:03.456789"),
    ("timestamp_ns", "TIMESTAMP_NS '2024-03-10 01:02:03.123456789'", datetime(2024, 3, 10, 1, 2, 3, 123456),
     "2024-03-10 01:02:03.123456", "2024-03-10 01:02:03.123456"),
    ("timestamp_infinity", "'infinity'::TIMESTAMP", datetime.max, "9999-12-31 23:59:59.999999",
     "9999-12-31 23:59:59.999999"),
    ("timestamp_bc", "TIMESTAMP '0044-03-15 (BC) 10:00:00'", "0044-03-15 (BC) 10:00:00",
     "0044-03-15 (BC) 10:00:00", "0044-03-15 (BC) 10:00:00"),
    ("timestamptz", "TIMESTAMPTZ '2024-03-10 12:00:00+05:30'", datetime(2024, 3, 10, 6, 30, tzinfo=UTC),
     "2024-03-10 06:30:00+00:00", "2024-03-10 06:30:00+00:00"),
    ("at_time_zone", "TIMESTAMP '2024-03-10 12:00:00' AT TIME ZONE 'Asia/Kolkata'",
     datetime(2024, 3, 10, 6, 30, tzinfo=UTC), "2024-03-10 06:30:00+00:00", "2024-03-10 06:30:00+00:00"),
    ("interval", "INTERVAL '1 month 3 days 04:05:06'", timedelta(days=33, seconds=14706), "33 days, 4:05:06",
     "33 days, 4:05:06"),
    ("uuid", "'550e8400-e29b-41d4-a716-446655440000'::UUID", UUID("550e8400-e29b-41d4-a716-446655440000"),
     "550e8400-e29b-41d4-a716-446655440000", "550e8400-e29b-41d4-a716-446655440000"),
    ("blob", "'\\xAA\\x00abc'::BLOB", b"\xaa\x00abc", "\\xAA\\x00abc", "\\xAA\\x00abc"),
    ("bit", "'10110'::BIT", "10110", "10110", "10110"),
    ("enum", "'ok'::ENUM('sad', 'ok', 'happy')", "ok", "ok", "ok"),
    ("varchar", "'naïve ''quote'''", "naïve 'quote'", "naïve 'quote'", "naïve 'quote'"),
    ("json", """'{"a": 1}'::JSON""", '{"a": 1}', '{"a": 1}', '{"a": 1}'),
    ("list", "[1, 2, NULL]", [1, 2, None], "[1, 2, NULL]", [1, 2, None]),
    ("array", "[1.5, 2, 3]::DOUBLE[3]", (1.5, 2.0, 3.0), "[1.5, 2.0, 3.0]", [1.5, 2.0, 3.0]),
    ("struct", "{'a': 'x', 'at': [TIMESTAMPTZ '2024-01-01 00:00:00+01'], 'n': NULL::INTEGER}",
     {"a": "x", "at": [datetime(2023, 12, 31, 23, tzinfo=UTC)], "n": None},
     "{'a': 'x', 'at': [2023-12-31 23:00:00+00:00], 'n': NULL}",
     {"a": "x", "at": ["2023-12-31 23:00:00+00:00"], "n": None}),
    ("map", "MAP {'k': 1.5::DOUBLE}", {"k": 1.5}, "{'k': 1.5}", {"k": 1.5}),
    ("map_integer_keys", "MAP {1: 'a', 2: 'b'}", {1: "a", 2: "b"}, "{1: 'a', 2: 'b'}", {"1": "a", "2": "b"}),
    ("map_date_keys", "MAP {DATE '2024-01-01': 'new year'}", {date(2024, 1, 1): "new year"},
     "{2024-01-01: 'new year'}", {"2024-01-01": "new year"}),
    ("map_list_keys", "MAP {[1, 2]: 'x'}", {"key": [[1, 2]], "value": ["x"]},
     "{'key': [[1, 2]], 'value': ['x']}", {"key": [[1, 2]], "value": ["x"]}),
    ("union", "union_value(num := 2)::UNION(num INTEGER, str VARCHAR)", 2, "2", 2),
]
IDS = [name for name, *_ in ZOO]


def same_plain(actual: object, expected: object) -> bool:
    """Equal, of exactly the same types all the way down (NaN equals NaN, -0.0 is not 0.0)."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, float):
        assert isinstance(actual, float)
        if math.isnan(expected):
            return math.isnan(actual)
        return actual == expected and math.copysign(1, actual) == math.copysign(1, expected)
    if isinstance(expected, list | tuple):
        assert isinstance(actual, list | tuple)
        return len(actual) == len(expected) and all(map(same_plain, actual, expected))
    if isinstance(expected, dict):
        assert isinstance(actual, dict)
        return list(actual) == list(expected) and all(map(same_plain, actual.values(), expected.values()))
    if isinstance(expected, datetime | time):
        return actual == expected and repr(actual) == repr(expected)  # the same tzinfo, too
    return actual == expected


def is_plain(value: object) -> bool:
    if isinstance(value, list | tuple):
        return all(map(is_plain, value))
    if isinstance(value, dict):
        return all(map(is_plain, value)) and all(map(is_plain, value.values()))
    return type(value) in PLAIN_TYPES


def zoo_query() -> str:
    """Every zoo value in one row, and a second row with a NULL of each type."""
    columns = ", ".join(f"{literal} AS {name}" for name, literal, *_ in ZOO)
    nulls = ", ".join("NULL" for _ in ZOO)
    return f"SELECT {columns} UNION ALL SELECT {nulls}"


@pytest.fixture(scope="module")
def zoo() -> QueryResult:
    result = run_query(f"SELECT * FROM ({zoo_query()}) ORDER BY boolean NULLS LAST", [":memory:"])[0]
    assert isinstance(result, QueryResult), result
    return result


@pytest.mark.parametrize("position", range(len(ZOO)), ids=IDS)
def test_each_type_comes_back_from_the_child_as_its_plain_value(zoo: QueryResult, position: int) -> None:
    name, _, value, _, _ = ZOO[position]
    assert zoo.columns[position] == name
    actual, null = zoo.rows[0][position], zoo.rows[1][position]
    assert same_plain(actual, value), f"{name} ({zoo.types[position]}): {actual!r}, expected {value!r}"
    assert is_plain(actual)
    assert null is None, f"a NULL {zoo.types[position]} came back as {null!r}"


def test_the_zoo_covers_every_duckdb_type_family(zoo: QueryResult) -> None:
    families = {t.split("(")[0].split("[")[0] for t in zoo.types}
    wanted = {"BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
              "UINTEGER", "UBIGINT", "UHUGEINT", "BIGNUM", "DECIMAL", "FLOAT", "DOUBLE", "DATE", "TIME",
              "TIME WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP", "TIMESTAMP_NS",
              "TIMESTAMP WITH TIME ZONE", "INTERVAL", "UUID", "BLOB", "BIT", "ENUM", "VARCHAR", "JSON",
              "STRUCT", "MAP", "UNION"}
    assert wanted <= families, wanted - families
    assert any(t.endswith("[]") for t in zoo.types) and any(t.endswith("[3]") for t in zoo.types)


@pytest.mark.parametrize("dialect, sql", [
    ("duckdb", "SELECT TIMESTAMPTZ '2024-03-10 12:00:00+05:30' AS ts"),
    ("duckdb", "SELECT TIMESTAMP '2024-03-10 06:30:00' AT TIME ZONE 'UTC' AS ts"),
    ("postgres", "SELECT '2024-03-10 12:00:00+05:30'::timestamptz AS ts"),
])
def test_time_zone_aware_answers_arrive_as_utc_instants(dialect: str, sql: str) -> None:
    result = run_user_sql(sql, [":memory:"], dialect=dialect)[0]
    assert isinstance(result, QueryResult), result
    assert same_plain(result.rows[0][0], datetime(2024, 3, 10, 6, 30, tzinfo=UTC))


def test_the_wall_clock_comes_back() -> None:
    before = datetime.now(UTC)
    result = run_user_sql("SELECT now() AS t, current_timestamp AS c", [":memory:"])[0]
    assert isinstance(result, QueryResult), result
    now, current = result.rows[0]
    assert now.tzinfo is UTC and before - timedelta(seconds=5) <= now <= datetime.now(UTC)
    assert current.tzinfo is UTC


def test_values_of_unknown_types_come_back_as_text() -> None:
    class Future:
        def __str__(self) -> str:
            return "future value"

    class Money(Decimal):
        pass

    assert plain([Future(), Money("2.50"), {"k": Future()}]) == ["future value", Decimal("2.50"), {"k": "future value"}]
    assert type(plain(Money("2.50"))) is Decimal


# --- the CLI: text, CSV and JSON -----------------------------------------------------------


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_query_json_prints_every_type_as_valid_json() -> None:
    result = invoke("query", zoo_query(), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output, parse_constant=lambda name: pytest.fail(f"bare {name} in JSON"))
    by_null = sorted(rows, key=lambda row: row["boolean"] is None)
    for name, _, _, _, shown in ZOO:
        assert by_null[0][name] == shown, name
        assert by_null[1][name] is None, name
    assert math.copysign(1, by_null[0]["minus_zero"]) == -1


def test_query_csv_prints_every_type_as_it_reads_on_screen() -> None:
    result = invoke("query", f"SELECT * FROM ({zoo_query()}) ORDER BY boolean NULLS LAST", "--csv")
    assert result.exit_code == 0, result.output
    header, values, nulls = list(csv.reader(io.StringIO(result.output)))
    assert header == IDS
    assert values == [text for _, _, _, text, _ in ZOO]
    assert nulls == ["" for _ in ZOO]


@pytest.mark.parametrize("position", range(len(ZOO)), ids=IDS)
def test_query_table_shows_each_type(position: int) -> None:
    name, literal, _, text, _ = ZOO[position]
    result = invoke("query", f"SELECT {literal} AS v, NULL::INTEGER AS n")
    assert result.exit_code == 0, result.output
    assert text in result.output and "NULL" in result.output


# --- check -----------------------------------------------------------------------------------

DRILL = "members_not_devices"


def tz_aware_answer() -> str:
    """The reference, but its day is a TIMESTAMPTZ (midnight UTC) rather than a DATE."""
    reference = get(DRILL).reference
    changed = reference.replace("SELECT e.event_ts_utc::DATE AS day",
                                "SELECT date_trunc('day', e.event_ts_utc AT TIME ZONE 'UTC') AS day")
    assert changed != reference
    return changed


def test_a_correct_answer_with_a_timestamptz_column_is_correct(tmp_path: Path) -> None:
    answer = tmp_path / "my_tz_answer.sql"
    answer.write_text(tz_aware_answer())
    result = invoke("check", DRILL, str(answer))
    assert result.exit_code == 0, result.output
    assert "CORRECT" in result.output
    data = json.loads(invoke("check", DRILL, str(answer), "--json").output)
    assert data["verdict"] == "correct" and all(w["match"] for w in data["worlds"])


# Inside a LIST, STRUCT or MAP, DuckDB's client returns a BIGNUM as its digits, and the child
# (which converts by the column's type only at the top level) leaves them so.
NESTED = {"bignum": "123456789012345678901234567890123456789012345"}


def nested_zoo(column: int) -> dict[str, object]:
    """The zoo as a struct: column 2 is the plain value, 3 its text, 4 its JSON."""
    return {entry[0]: NESTED.get(entry[0], entry[column]) for entry in ZOO}


def zoo_struct() -> str:
    return "{" + ", ".join(f"'{name}': {literal}" for name, literal, *_ in ZOO) + "}"


def zoo_answer() -> str:
    """Right days, and every zoo value in the viewers column: a counterexample full of types."""
    return f"SELECT day, {zoo_struct()} AS viewers FROM ({get(DRILL).reference})"


def test_check_json_shows_every_type_in_the_counterexample() -> None:
    result = invoke("check", DRILL, "-", "--json", input=zoo_answer())
    assert result.exit_code == 1, result.output
    data = json.loads(result.output, parse_constant=lambda name: pytest.fail(f"bare {name} in JSON"))
    assert data["verdict"] == "misleading", data["message"]
    yours = next(w for w in data["worlds"] if w["diffs"])["diffs"][0]["yours"]["viewers"]
    assert yours == nested_zoo(4)


def test_check_text_shows_every_type_in_the_counterexample() -> None:
    # A real process with a wide terminal: the whole struct fits on one line.
    env = {**os.environ, "COLUMNS": "4000"}
    done = subprocess.run([sys.executable, "-m", "sqldrills.cli", "check", DRILL, "-"], input=zoo_answer(),
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "MISLEADING" in done.stdout
    shown = display(nested_zoo(2))
    assert shown in done.stdout, done.stdout


# --- take-home records -------------------------------------------------------------------------


def test_takehome_records_carry_every_value_type_as_valid_json(tmp_path: Path) -> None:
    from sqldrills.takehome.commands import takehome

    def run(*args: str) -> None:
        result = CliRunner().invoke(takehome, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output

    run("build", "--challenges", DRILL, "--out", str(tmp_path / "bundle"))
    for candidate, sql in (("zoo", zoo_answer()), ("tz", tz_aware_answer())):
        (tmp_path / "subs" / candidate / "answers").mkdir(parents=True)
        (tmp_path / "subs" / candidate / "answers" / "task_1.sql").write_text(sql)  # the neutral name
    run("grade", str(tmp_path / "bundle" / "manifest.json"), str(tmp_path / "subs"),
        "--out", str(tmp_path / "report"), "--workers", "1")
    text = (tmp_path / "report" / "results.json").read_text()
    data = json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name} in results.json"))
    answers = {c["candidate"]: c["answers"][0] for c in data["candidates"]}
    assert answers["tz"]["verdict"] == "correct", answers["tz"]["message"]
    assert answers["zoo"]["verdict"] == "misleading", answers["zoo"]["message"]
    assert answers["zoo"]["counterexample"]["diffs"][0]["yours"]["viewers"] == nested_zoo(4)
