"""The two checks of an answer agree (SECURITY.md, layers 1 and 2).

* The function allow-list (``sqldrills/grading/functionlist.py``) is what
  ``sqlrules.allowed_functions`` derives from the installed DuckDB's catalog.
* A differential fuzz: queries built from fragments (CTEs in nested scopes, world tables,
  catalog views, cased and quoted names, allowed and denied functions) glued with unusual
  characters, comments and quoting. Whatever sqlglot's check (``prepare_query``) accepts,
  DuckDB's parser must see with the same table references and function names, and
  DuckDB's tree check must accept too.

``SQLDRILLS_FUZZ_FACTOR=10`` fuzzes ten times longer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import sqlglot
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from sqldrills.grading import duckdbcheck, functionlist
from sqldrills.grading.sqlcheck import Refused, prepare_query
from sqldrills.grading.sqlrules import FUNCTION_CATALOG_SQL, allowed_functions, fold_name, function_list_source
from sqldrills.world.schema import TABLES

FACTOR = max(1, int(os.environ.get("SQLDRILLS_FUZZ_FACTOR", "1")))
WORLD = frozenset(TABLES)


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    # Closed when this module is done: the sandbox must never fork with one open.
    with duckdb.connect() as connection:
        yield connection


def test_the_function_list_is_derived_from_the_installed_duckdb(con: duckdb.DuckDBPyConnection) -> None:
    catalog = con.execute(FUNCTION_CATALOG_SQL).fetchall()
    allowed = allowed_functions(catalog)
    # Whatever the DuckDB version: nothing on the list breaks the rules.
    installed = {fold_name(name) for name, *_ in catalog}
    assert sorted((functionlist.ALLOWED_FUNCTIONS & installed) - allowed) == []
    if duckdb.__version__ == functionlist.DUCKDB_VERSION:
        assert function_list_source(catalog, duckdb.__version__) == Path(functionlist.__file__).read_text(), (
            "regenerate: python -c 'from sqldrills.grading.sqlrules import write_function_list as w; w()'")


def test_the_allow_list_keeps_plain_functions_and_drops_the_rest() -> None:
    for name in ("abs", "date_trunc", "count_star", "string_agg", "row_number", "repeat", "list_transform", "random"):
        assert name in functionlist.ALLOWED_FUNCTIONS, name
    for name in ("current_setting", "getenv", "json_serialize_plan", "json_serialize_sql", "nextval", "setseed",
                 "read_csv", "duckdb_tables", "pg_get_viewdef", "current_database", "version", "write_log",
                 "sleep_ms", "glob", "query", "__internal_compress_string_ubigint"):
        assert name not in functionlist.ALLOWED_FUNCTIONS, name


# --- the differential fuzz ------------------------------------------------------------

CTE_NAMES = ["a", "b", "duckdb_tables", "pg_settings", "Accounts", '"Duckdb_Databases"', '"a"']
TABLE_NAMES = [*sorted(WORLD), "a", "b", "A", '"a"', '"B"', "duckdb_tables", "duckdb_databases", "pg_settings",
               '"DUCKDB_TABLES"', "main.accounts", "main.a", "world_1.main.events", '"main"."events"']
FUNCTIONS = ["abs", "lower", "upper", "length", "md5", "round", "current_setting", "getenv",
             "json_serialize_plan", "version", "nextval", '"lower"', "LOWER", '"Abs"']
ODD = ["", " ", "  ", "\t", "\n", "\r\n", "/* x */", "/* ' */", "/* /* nested */ */", "-- c\n", "-- '\n",
       "\ufeff", "\u200b", "\u00a0", "\u2060", "\u202e", "\u3000", "\u2028", "\x0b", "\x0c", "\u0085", "\u0301",
       "\uff1b", "é", "$$", "'", '"', "E'\\''", "$$ ' $$", "'\u200b'"]

# Mostly plain, so that a good share gets past sqlglot's check and is compared.
odd = st.one_of(st.sampled_from(["", "", " ", "\n", "/* x */"]), st.sampled_from(ODD))
gap = st.sampled_from([" ", "  ", "\n", "\t", "/**/", " -- c\n"])


@st.composite
def calls(draw: st.DrawFn) -> str:
    function = draw(st.one_of(st.sampled_from(["abs", "lower", "length"]), st.sampled_from(FUNCTIONS)))
    argument = draw(st.sampled_from(["1", "'x'", "x", "'SELECT 1'", "-2.5"]))
    return f"{draw(odd)}{function}{draw(odd)}({argument}{draw(odd)})"


@st.composite
def queries(draw: st.DrawFn) -> str:
    first, second = draw(st.sampled_from(CTE_NAMES)), draw(st.sampled_from(CTE_NAMES))
    table = st.one_of(st.sampled_from([*sorted(WORLD), first, second]), st.sampled_from(TABLE_NAMES))
    parts = [
        f"WITH {first} AS (SELECT {draw(calls())} AS x FROM {draw(table)}){draw(gap)}",
        f"SELECT {draw(calls())} AS y{draw(odd)} FROM {draw(table)}{draw(gap)}",
        f", (WITH {second} AS (SELECT 1 AS x) SELECT x FROM {draw(table)}) AS s{draw(odd)}",
        f"WHERE {draw(calls())} IS NOT NULL{draw(odd)}",
    ]
    keep = draw(st.lists(st.booleans(), min_size=4, max_size=4))
    return "".join(part for part, kept in zip(parts, keep, strict=True) if kept or part.startswith("SELECT"))


def sqlglot_view(sql: str) -> tuple[list[str], list[str]]:
    """Table references and (vocabulary) function names, as sqlglot reads the DuckDB text."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    tables = sorted(
        ".".join(fold_name(part) for part in (table.catalog, table.db, table.name) if part)
        for table in tree.find_all(exp.Table) if not isinstance(table.this, exp.Func)
    )
    names = {fold_name(node.name if isinstance(node, exp.Anonymous) else node.sql_name())
             for node in tree.find_all(exp.Func)}
    return tables, sorted(names & VOCABULARY)


VOCABULARY = {fold_name(name.strip('"')) for name in FUNCTIONS}


@example(sql="SELECT \ufeffcurrent_setting('x') AS y FROM accounts")
@example(sql="SELECT 1 AS y FROM (WITH duckdb_tables AS (SELECT 1) SELECT 1) s, duckdb_tables")
@example(sql="SELECT -- '\nabs\ufeff(1) AS y FROM accounts ")
@example(sql="WITH \"a\" AS (SELECT 1 AS x FROM accounts) SELECT lower('x') AS y FROM A")
@settings(max_examples=400 * FACTOR, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sql=queries())
def test_what_sqlglot_accepts_duckdb_reads_the_same_way(sql: str, con: duckdb.DuckDBPyConnection) -> None:
    try:
        prepared = prepare_query(sql)
    except Refused:
        event("refused by sqlglot's check")
        return
    try:
        duckdb_tables, duckdb_functions = duckdbcheck.references(con, prepared)
    except (duckdb.Error, KeyError):
        event("accepted, but DuckDB cannot parse it (it would not run)")
        return
    event("accepted and compared")
    tables, functions = sqlglot_view(prepared)
    assert sorted(duckdb_tables) == tables, sql
    assert sorted(set(duckdb_functions) & VOCABULARY) == functions, sql
    # Layer 2 is stricter only about names DuckDB does not know (which would not run).
    refusal = duckdbcheck.refusal(con, prepared, WORLD)
    assert refusal is None or set(duckdb_functions) - installed_functions(con), (sql, refusal)


def installed_functions(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {fold_name(name) for name, *_ in con.execute(FUNCTION_CATALOG_SQL).fetchall()}
