"""The rules both checks of an answer apply: what it may call and read, and the characters
it may not contain. Layer 1 (``sqlcheck``, sqlglot's tree) and layer 2 (``duckdbcheck``,
DuckDB's own tree, in the sandbox child) import them from here, so that they cannot
drift apart. This module imports neither sqlglot nor duckdb: the child must stay cheap.

Table names compare as DuckDB compares them: ASCII letters fold to lower case, nothing
else does (``"É"`` and ``é`` are two names to DuckDB, the Kelvin sign is not ``k``).

>>> fold_name("Duckdb_Tables"), fold_name("\\u212a")
('duckdb_tables', '\\u212a')
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable

# Table functions a query may read from: they generate rows, they cannot reach files.
ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})

# Functions that read files, URLs or other databases, run or describe SQL hidden in a
# string, describe the catalog and settings (which hold file paths), profile, log, or
# report on the system. DuckDB grows new ones with each extension, so prefixes and
# suffixes catch families, not just today's members.
DENIED_FUNCTIONS = frozenset(
    {
        "glob",
        "query",
        "query_table",
        "sniff_csv",
        "getenv",
        "getvariable",
        "current_setting",
        "json_execute_serialized_sql",
        "json_serialize_sql",
        "json_deserialize_sql",
        "json_serialize_plan",
        "checkpoint",
        "force_checkpoint",
        "which_secret",
        "load_aws_credentials",
        "python_map_function",
        "from_substrait",
        "from_substrait_json",
        "get_substrait",
        "get_substrait_json",
        "enable_logging",
        "disable_logging",
        "truncate_duckdb_logs",
        "enable_profiling",
        "disable_profiling",
        "write_log",
        "version",
        "get_block_size",
        "current_catalog",
        "current_schema",
        "current_schemas",
        "current_database",
        "current_query",
        "current_role",
        "current_user",
        "session_user",
        "user",
        "setseed",
        "stats",
        "vector_type",
        "nextval",
        "currval",
        "setval",
        "sleep_ms",
        "current_connection_id",
        "current_query_id",
        "current_transaction_id",
        "txid_current",
        "in_search_path",
    }
)
DENIED_PREFIXES = (
    "read_",
    "parquet_",
    "iceberg_",
    "delta_",
    "duckdb_",
    "pragma_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "ducklake_",
    "httpfs_",
    "pg_",
    "has_",
    "inet_",
    "__",  # DuckDB's internal functions (compression, casts the planner inserts)
)
DENIED_SUFFIXES = ("_scan",)

# Kinds of catalog entry an answer may call outside FROM (duckdb_functions().function_type);
# table functions, table macros and pragmas are not among them.
CALLABLE_KINDS = frozenset({"scalar", "aggregate", "window", "macro"})
# Functions DuckDB marks as having side effects that only draw random values: kept,
# because they reach nothing. The others (sequences, sleep, logging, query ids) are not.
HARMLESS_SIDE_EFFECTS = frozenset({"random", "uuid", "uuidv4", "uuidv7", "gen_random_uuid", "error"})

# The catalog query the allow-list is derived from (``allowed_functions``).
FUNCTION_CATALOG_SQL = (
    "SELECT DISTINCT function_name, function_type, schema_name, has_side_effects FROM duckdb_functions()"
)

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# Characters that are invisible or look like nothing, besides categories Cf/Cc/Z*:
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian
# variation selectors, variation selectors.
_INVISIBLE_EXTRA = frozenset(
    [chr(c) for c in (0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0)]
    + [chr(c) for c in range(0xFE00, 0xFE10)]
    + [chr(c) for c in range(0xE0100, 0xE01F0)]
)
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Zs", "Zl", "Zp"})
_ORDINARY_SPACE = frozenset(" \t\n\r")


def fold_name(name: str) -> str:
    """A name as DuckDB matches it: ASCII letters lower-cased, nothing else changed."""
    return name.translate(_ASCII_LOWER)


def is_denied_function(name: str) -> bool:
    """Whether a function of this name may reach files, settings, the catalog or the system.

    >>> is_denied_function("read_csv_auto"), is_denied_function("DuckDB_Settings")
    (True, True)
    >>> is_denied_function("date_trunc")
    False
    """
    name = fold_name(name)
    return name in DENIED_FUNCTIONS or name.startswith(DENIED_PREFIXES) or name.endswith(DENIED_SUFFIXES)


def allowed_functions(catalog: Iterable[tuple[str, str, str, bool | None]]) -> frozenset[str]:
    """The functions an answer may call, from rows of :data:`FUNCTION_CATALOG_SQL`.

    Only scalar, aggregate and window functions and macros count: outside FROM, DuckDB
    binds a call to nothing else (so the string function ``repeat`` is allowed although a
    table function has that name too). A name is allowed when every such entry of that
    name is in schema ``main`` (not ``pg_catalog``'s catalog helpers), without side
    effects (unless it only draws random values), and no deny rule names it.

    >>> sorted(allowed_functions([("abs", "scalar", "main", False), ("glob", "table", "main", False),
    ...                           ("pg_typeof", "macro", "pg_catalog", None), ("nextval", "scalar", "main", True)]))
    ['abs']
    """
    good: set[str] = set()
    bad: set[str] = set()
    for name, kind, schema, side_effects in catalog:
        if kind not in CALLABLE_KINDS:
            continue
        name = fold_name(name)
        ok = (
            schema == "main"
            and (not side_effects or name in HARMLESS_SIDE_EFFECTS)
            and not is_denied_function(name)
        )
        (good if ok else bad).add(name)
    return frozenset(good - bad)


def invisible_character(sql: str) -> str | None:
    """A refusal naming the first invisible or format-control character outside quoted
    text, or None.

    Parsers disagree about these: DuckDB skips a BOM or a zero-width space as if it were
    a space, sqlglot reads it as part of a name, so ``\\ufeffcurrent_setting(...)`` is an
    unknown function to one and a settings reader to the other. Inside string literals
    and quoted identifiers both keep them as data.

    >>> print(invisible_character("SELECT\\ufeff1").replace("; ", ";\\n"))
    Refused: the query contains an invisible character, U+FEFF ZERO WIDTH NO-BREAK SPACE, at line 1, column 7;
    delete it (retype that part of the line)
    >>> invisible_character("SELECT '\\u200b' AS \\"\\u202e\\" -- ok\\n") is None
    True
    >>> invisible_character("SELECT 1 -- it's\\n\\u200b") is not None  # a quote in a comment opens nothing
    True
    """
    for offset in _unquoted_offsets(sql):
        char = sql[offset]
        if char in _ORDINARY_SPACE:
            continue
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES or char in _INVISIBLE_EXTRA:
            line = sql.count("\n", 0, offset) + 1
            column = offset - (sql.rfind("\n", 0, offset) + 1) + 1
            name = unicodedata.name(char, "control character")
            return (
                f"Refused: the query contains an invisible character, U+{ord(char):04X} {name}, at line "
                f"{line}, column {column}; delete it (retype that part of the line)"
            )
    return None


def _unquoted_offsets(sql: str) -> Iterable[int]:
    """Offsets of the characters outside string literals ('...', E'...', $tag$...$tag$)
    and quoted identifiers ("..."). Comments are outside (they are not data), and a quote
    inside a comment opens nothing."""
    index, length = 0, len(sql)
    while index < length:
        char = sql[index]
        if sql.startswith("--", index) or sql.startswith("/*", index):
            end = _end_of_comment(sql, index)
            yield from range(index, end)
            index = end
        elif char == "'":
            backslash = index > 0 and sql[index - 1] in "eE" and (index < 2 or not _word_char(sql[index - 2]))
            index = _end_of_quoted(sql, index, "'", backslash)
        elif char == '"':
            index = _end_of_quoted(sql, index, '"', False)
        elif char == "$" and (index == 0 or not _word_char(sql[index - 1])):
            tag_end = index + 1
            while tag_end < length and _word_char(sql[tag_end]):
                tag_end += 1
            if tag_end < length and sql[tag_end] == "$":
                end = sql.find(sql[index : tag_end + 1], tag_end + 1)
                index = length if end < 0 else end + tag_end + 1 - index
            else:
                yield index
                index += 1
        else:
            yield index
            index += 1


def _end_of_comment(sql: str, start: int) -> int:
    """The offset after the comment at ``start``: to the end of the line, or past the
    matching ``*/`` (DuckDB nests block comments)."""
    if sql.startswith("--", start):
        end = sql.find("\n", start)
        return len(sql) if end < 0 else end
    depth, index = 0, start
    while index < len(sql):
        if sql.startswith("/*", index):
            depth, index = depth + 1, index + 2
        elif sql.startswith("*/", index):
            depth, index = depth - 1, index + 2
            if depth == 0:
                return index
        else:
            index += 1
    return len(sql)


def _end_of_quoted(sql: str, start: int, quote: str, backslash: bool) -> int:
    """The offset after the quoted text opened at ``start`` (a doubled quote stays inside)."""
    index = start + 1
    while index < len(sql):
        if backslash and sql[index] == "\\":
            index += 2
        elif sql[index] == quote:
            if sql[index + 1 : index + 2] != quote:
                return index + 1
            index += 2
        else:
            index += 1
    return len(sql)


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def function_list_source(catalog: Iterable[tuple[str, str, str, bool | None]], version: str) -> str:
    """The text of ``functionlist.py`` for DuckDB ``version``, from rows of
    :data:`FUNCTION_CATALOG_SQL` (``tests/test_sqlcheck.py`` checks the file against the
    installed DuckDB; :func:`write_function_list` writes it again)."""
    lines, line = [], ""
    for name in sorted(allowed_functions(catalog)):
        item = json.dumps(name) + ","  # JSON's quoting is Python's for these names
        if len(line) + len(item) + 1 > 100:
            lines.append(line)
            line = ""
        line += " " + item
    lines.append(line)
    body = "\n".join(f"   {text}" for text in lines)
    return (
        '"""The functions an answer may call, derived from DuckDB\'s function catalog by\n'
        "``sqlrules.allowed_functions``. Generated, do not edit: after upgrading DuckDB, run\n"
        "``python -c 'from sqldrills.grading.sqlrules import write_function_list as w; w()'``\n"
        'and read the diff.\n"""\n\n'
        f"DUCKDB_VERSION = {version!r}\n\n"
        f"ALLOWED_FUNCTIONS = frozenset(\n    {{\n{body}\n    }}\n)\n"
    )


def write_function_list() -> None:
    """Write ``functionlist.py`` from the installed DuckDB's catalog."""
    from pathlib import Path

    import duckdb

    with duckdb.connect() as con:
        source = function_list_source(con.execute(FUNCTION_CATALOG_SQL).fetchall(), duckdb.__version__)
    Path(__file__).with_name("functionlist.py").write_text(source, encoding="utf-8")
