"""Check a learner's SQL before it runs: one read-only query over the world, in DuckDB SQL.

This is the first layer of the sandbox (SECURITY.md): it parses the answer with sqlglot,
refuses anything that is not a single query reading the world's tables, and translates
other dialects to DuckDB. The refusals are written for learners: each names what was
refused and how to fix it. The rules it shares with the second layer (functions, table
functions, invisible characters, name matching) are in ``sqldrills.grading.sqlrules``. The
second layer (the same rules on DuckDB's own parse tree, ``sqldrills.grading.duckdbcheck``;
read-only worlds, external access off, locked configuration, OS limits) lives in
``sqldrills.grading.sandbox`` and does not trust this one.

>>> prepare_query("SELECT plan, count(*) AS n FROM accounts GROUP BY plan")
'SELECT plan, count(*) AS n FROM accounts GROUP BY plan'
>>> prepare_query("SELECT runtime_min / 60 AS hours FROM titles", dialect="postgres")
'SELECT CAST(TRUNC(runtime_min / 60) AS BIGINT) AS hours FROM titles'
>>> prepare_query("DROP TABLE accounts")
Traceback (most recent call last):
    ...
sqldrills.grading.sqlcheck.Refused: Refused: only a read-only query (SELECT, WITH, UNION, VALUES) is allowed, not DROP
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, OptimizeError, ParseError, SqlglotError, TokenError

from sqldrills import DIALECTS
from sqldrills.grading import dialects
from sqldrills.grading.sqlrules import ALLOWED_TABLE_FUNCTIONS, fold_name, invisible_character, is_denied_function
from sqldrills.world.schema import TABLES

# Answers are a screenful of SQL; anything far larger is an accident or an attack, and
# parsing it would cost seconds. Checked before parsing.
MAX_QUERY_CHARS = 100_000

# Statements (and clauses) that change something, talk to the outside or configure the
# engine. Matched anywhere in the tree, so `WITH d AS (DELETE ... RETURNING *)` is caught.
_WRITING_NODES: tuple[type[exp.Expression], ...] = (
    exp.DDL,
    exp.DML,
    exp.Command,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Set,
    exp.Pragma,
    exp.Attach,
    exp.Detach,
    exp.Use,
    exp.Install,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Describe,
    exp.Show,
    exp.Summarize,
    exp.Analyze,
    exp.Cache,
    exp.Uncache,
    exp.Refresh,
    exp.Grant,
    exp.Revoke,
    exp.Comment,
    exp.Kill,
    exp.Declare,
    exp.Into,
    exp.LoadData,
    exp.Export,
    exp.Put,
    exp.Get,
)

_FILE_PATH_MARKS = ("/", "\\", ":", ".")

# sqlglot logs a warning each time it falls back to an opaque Command (LOAD, CALL, ...);
# we refuse those with our own message, so the warning would only be noise on the terminal.
logging.getLogger("sqlglot").addFilter(
    lambda record: "Falling back to parsing as a 'Command'" not in record.getMessage()
)


class Refused(Exception):
    """The query was not run. ``message`` is one line for the learner: what and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def prepare_query(
    sql: str,
    *,
    dialect: str = "duckdb",
    tables: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """Check ``sql`` and return the DuckDB SQL to run; raise :class:`Refused` otherwise.

    ``tables`` maps each readable table to ``{column: duckdb type}`` (default: the world's
    public schema). DuckDB answers are returned as written, so DuckDB runs exactly the
    text the learner wrote; other dialects are translated with the column types known, so
    e.g. Postgres' integer division stays integer division.

    DuckDB's own parser checks the text again inside the sandbox (``sandbox.run_query``):
    asking it here would open a DuckDB instance in the grader process, which must stay
    free of DuckDB threads to fork cheaply and safely.

    >>> try:
    ...     prepare_query("SELECT * FROM read_csv('/etc/passwd')")
    ... except Refused as refused:
    ...     print(refused.message)
    Refused: read_csv() is not allowed (it reaches files, settings, the catalog or the system); query the world's tables
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    schema = _schema_mapping(TABLES if tables is None else tables)
    _check_text(sql)
    try:
        tree = _parse_one(sql, dialect)
        _check_tree(tree, schema)
        if dialect == "duckdb":
            return sql.strip()
        duckdb_sql = _transpile(tree, dialect, schema)
        # Check what will run, not only what was written: the translation must be a
        # single allowed query too.
        _check_tree(_reparse_translation(duckdb_sql, dialect), schema)
        return duckdb_sql
    except RecursionError:
        raise Refused(
            "Refused: the query is nested too deeply to check (more than about 40 levels of "
            "parentheses or subqueries); split it into steps with WITH name AS (...)"
        ) from None


def _schema_mapping(tables: Mapping[str, object]) -> dict[str, dict[str, str]]:
    """Accept both ``{table: {column: type}}`` and schema.TABLES' ``{table: (Column, ...)}``."""
    mapping = {}
    for name, columns in tables.items():
        if isinstance(columns, Mapping):
            mapping[fold_name(name)] = {str(col): str(typ) for col, typ in columns.items()}
        else:
            mapping[fold_name(name)] = {col.name: col.type for col in columns}
    return mapping


def _check_text(sql: str) -> None:
    if len(sql) > MAX_QUERY_CHARS:
        raise Refused(f"Refused: the query is {len(sql):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    try:
        sql.encode("utf-8")
    except UnicodeEncodeError as error:
        # Undecodable bytes arrive as lone surrogates (errors="surrogateescape").
        line, col = _line_col(sql, error.start)
        raise Refused(
            f"Refused: the query text is not valid UTF-8 (bad byte at line {line}, column "
            f"{col}); save the file as UTF-8"
        ) from None
    if "\x00" in sql:
        line, col = _line_col(sql, sql.index("\x00"))
        raise Refused(f"Refused: the query contains a NUL byte at line {line}, column {col}; remove it")
    invisible = invisible_character(sql)
    if invisible:
        raise Refused(invisible)
    if not sql.strip():
        raise Refused("Refused: the query is empty; write one SELECT query")


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``.

    >>> _line_col("SELECT 1\\nFROM x", 10)
    (2, 2)
    """
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _parse_one(sql: str, dialect: str) -> exp.Expression:
    try:
        parsed = sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE)
    except ParseError as error:
        raise Refused(f"Refused: {_describe_parse_error(error, dialect)}") from None
    except TokenError as error:
        raise Refused(f"Refused: the {dialect} SQL could not be read: {error}") from None
    statements = [s for s in parsed if s is not None and not isinstance(s, exp.Semicolon)]
    if not statements:
        raise Refused("Refused: the query is empty; write one SELECT query")
    if len(statements) > 1:
        raise Refused(
            f"Refused: only one SELECT query is allowed, found {len(statements)} statements "
            "(remove everything after the first ';')"
        )
    return statements[0]


def _describe_parse_error(error: ParseError, dialect: str) -> str:
    if not error.errors:
        return f"syntax error in the {dialect} SQL: {error}"
    first = error.errors[0]
    near = (first.get("highlight") or "").strip()
    where = f" at line {first.get('line')}, column {first.get('col')}"
    return f"syntax error in the {dialect} SQL{where}: {first.get('description')}" + (
        f" (near {near!r})" if near else ""
    )


def _check_tree(tree: exp.Expression, schema: Mapping[str, Mapping[str, str]]) -> None:
    if not isinstance(tree, exp.Query | exp.Values):
        raise Refused(
            f"Refused: only a read-only query (SELECT, WITH, UNION, VALUES) is allowed, not {_statement_name(tree)}"
        )
    for node in tree.walk():
        if isinstance(node, _WRITING_NODES):
            raise Refused(
                f"Refused: {_statement_name(node)} inside a query is not allowed: answers may only read the world"
            )
        if isinstance(node, exp.Placeholder | exp.Parameter):
            raise Refused(
                f"Refused: query parameters like {node.sql('duckdb')} are not supported; "
                "write the values into the query"
            )
        if isinstance(node, exp.Func):
            _check_function(node)
    cte_references = _cte_references(tree)
    for table in tree.find_all(exp.Table):
        # Optimizer hints (Spark's /*+ BROADCAST(a) */) name aliases, they read nothing.
        if table.find_ancestor(exp.Hint) is None:
            _check_table(table, schema, id(table) in cte_references)


def _cte_references(tree: exp.Expression) -> set[int]:
    """The ids of the table nodes that name a CTE visible where they stand.

    sqlglot's scopes say which CTEs each part of the query sees (those of an enclosing
    WITH defined before it; itself too when recursive); names match as DuckDB matches
    them. A name is never a CTE because a CTE of that name exists elsewhere in the
    query: DuckDB would read a catalog view of that name instead (``duckdb_tables``).
    A query sqlglot cannot scope has no CTE references, so every name must be a table.
    """
    from sqlglot.optimizer.scope import traverse_scope

    try:
        scopes = traverse_scope(tree)
    except (OptimizeError, SqlglotError):
        return set()
    found = set()
    for scope in scopes:
        visible = {fold_name(name) for name in scope.cte_sources}
        for table in scope.tables:
            if not table.db and not table.catalog and fold_name(table.name) in visible:
                found.add(id(table))
    return found


def _statement_name(node: exp.Expression) -> str:
    """A learner-facing name for a statement node: ``DROP``, ``CREATE TABLE``, ``LOAD``...

    >>> _statement_name(sqlglot.parse_one("CREATE TEMP TABLE x (a INT)"))
    'CREATE TABLE'
    """
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, exp.Create):
        return f"CREATE {node.args.get('kind') or ''}".strip()
    if isinstance(node, exp.Into):
        return "SELECT ... INTO"
    if isinstance(node, exp.Column | exp.Identifier):
        return repr(node.sql())  # a lone word, e.g. CHECKPOINT
    return node.key.upper()


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return node.sql_name().lower()


def _check_function(node: exp.Func) -> None:
    name = _function_name(node)
    if is_denied_function(name):
        raise Refused(
            f"Refused: {name}() is not allowed (it reaches files, settings, the catalog or the system); "
            "query the world's tables"
        )


def _check_table(table: exp.Table, schema: Mapping[str, Mapping[str, str]], is_cte: bool) -> None:
    source = table.this
    if isinstance(source, exp.GenerateSeries | exp.Unnest):
        return
    if isinstance(source, exp.Func):
        name = _function_name(source)
        if name in ALLOWED_TABLE_FUNCTIONS:
            return
        raise Refused(
            f"Refused: {name}() is not allowed in FROM: only range(), generate_series() and "
            "unnest() can be used there; query the world's tables instead"
        )
    name = table.name
    tables_hint = f"the world's tables are: {', '.join(sorted(schema))}"
    if any(mark in name for mark in _FILE_PATH_MARKS):
        raise Refused(f"Refused: reading files is not allowed ({name!r}); {tables_hint}")
    if table.catalog or (table.db and table.db.lower() != "main"):
        qualifier = ".".join(part for part in (table.catalog, table.db) if part)
        if qualifier.lower() in ("information_schema", "pg_catalog"):
            raise Refused(
                f"Refused: {qualifier} is not available; run `sqldrills schema` to see the tables and columns"
            )
        raise Refused(
            f"Refused: write the table name alone ({name}), not {qualifier}.{name}: answers "
            "read the world's tables only"
        )
    if is_cte or fold_name(name) in schema:
        return
    raise Refused(f"Refused: unknown table {name!r}; {tables_hint}")


# Typing a translation qualifies every column, which costs more than quadratically in the
# query's sources (a chain of 500 NATURAL JOINs: minutes) and runs before any time limit.
# No real answer comes near this many; one that does is refused, never graded untyped.
MAX_TRANSLATED_SOURCES = 64


def _transpile(tree: exp.Expression, dialect: str, schema: Mapping[str, Mapping[str, str]]) -> str:
    sources = sum(1 for _ in tree.find_all(exp.Table, exp.Join, exp.Select, exp.SetOperation, exp.CTE))
    if sources > MAX_TRANSLATED_SOURCES:
        raise Refused(
            f"Refused: this {dialect} query has {sources} tables, joins, subqueries and set operations, "
            f"more than the {MAX_TRANSLATED_SOURCES} a translation to DuckDB checks; simplify it, or write it "
            "in DuckDB SQL (--dialect duckdb)"
        )
    _annotate_types(tree, dialect, schema)
    dialects.keep_semantics(tree, dialect)
    try:
        return tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as error:
        raise Refused(
            f"Refused: this {dialect} SQL cannot be translated to DuckDB: {error}; try --dialect duckdb"
        ) from None


def _reparse_translation(duckdb_sql: str, dialect: str) -> exp.Expression:
    try:
        return _parse_one(duckdb_sql, "duckdb")
    except Refused as refused:
        detail = refused.message.removeprefix("Refused: ")
        raise Refused(
            f"Refused: this {dialect} SQL cannot be translated to DuckDB (the translation "
            f"fails to parse: {detail}); try --dialect duckdb"
        ) from None


def _annotate_types(tree: exp.Expression, dialect: str, schema: Mapping[str, Mapping[str, str]]) -> None:
    """Give the nodes of ``tree`` their types, so the DuckDB translation can depend on them.

    Type inference needs qualified columns, but qualifying rewrites the query (aliases,
    expanded stars, renamed output columns), so it runs on a copy and the types found
    are copied back onto the learner's own nodes, matched by an id kept in ``meta``.
    Types follow the learner's engine: in PostgreSQL ``sum(bigint)`` is ``numeric`` (``dialects``).
    When the query cannot be qualified (a typo in a column name, say) it is translated
    without types and DuckDB reports the real error.
    """
    # Only translations need the optimizer; DuckDB answers skip its import.
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.schema import MappingSchema

    nodes = list(tree.walk())
    for index, node in enumerate(nodes):
        node.meta["sqldrills_node"] = index
    try:
        mapping = MappingSchema(dict(schema), dialect="duckdb")
        typed = qualify(
            tree.copy(),
            dialect=dialect,
            schema=mapping,
            validate_qualify_columns=False,
            quote_identifiers=False,
        )
        typed = annotate_types(typed, schema=mapping, dialect=dialect,
                               expression_metadata=dialects.expression_metadata(dialect))
    except (OptimizeError, SqlglotError, KeyError, ValueError):
        return
    for node in typed.walk():
        index = node.meta.get("sqldrills_node")
        if index is not None and node.type is not None and not node.is_type(exp.DType.UNKNOWN):
            nodes[index].type = node.type
