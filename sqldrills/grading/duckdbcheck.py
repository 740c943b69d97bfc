"""Layer 2's rules, checked on DuckDB's own parse tree (SECURITY.md): the second authority.

sqlglot and DuckDB are two parsers; wherever they read a text differently (an invisible
character, a quoting rule, a name in the wrong scope), layer 1 checked something other
than what runs. So the sandbox child asks DuckDB itself for the tree it will bind
(``json_serialize_sql``) and checks the same rules on it, after the configuration is
locked and before anything runs:

* one SELECT statement (the caller has checked the statement count and type);
* every table reference is a CTE visible at that point (defined earlier in an enclosing
  ``WITH``, or itself in a recursive CTE) or one of the world's tables, unqualified or
  in schema ``main``; nothing else (no catalog views, no ``(SHOW ...)``, no files);
* table functions are ``range``, ``generate_series`` or ``unnest``;
* every other function is on the allow-list derived from ``duckdb_functions()``
  (``sqlrules.allowed_functions``, checked in as ``functionlist.py``);
* every node is of a kind this module knows: a kind a later DuckDB adds is refused until
  it is looked at.

This module imports neither duckdb nor sqlglot: it reads JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Protocol

from sqldrills.grading.functionlist import ALLOWED_FUNCTIONS
from sqldrills.grading.sqlrules import ALLOWED_TABLE_FUNCTIONS, fold_name

QUERY_NODES = frozenset({"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"})
TABLE_REFS = frozenset({"BASE_TABLE", "SUBQUERY", "JOIN", "TABLE_FUNCTION", "EXPRESSION_LIST", "EMPTY", "PIVOT"})
EXPRESSIONS = frozenset(
    {
        "FUNCTION", "WINDOW", "COLUMN_REF", "CONSTANT", "STAR", "OPERATOR", "COMPARISON",
        "CONJUNCTION", "CASE", "CAST", "SUBQUERY", "BETWEEN", "COLLATE", "LAMBDA", "LAMBDA_REF",
        "POSITIONAL_REFERENCE", "TYPE",
    }
)  # not PARAMETER (a prepared statement's value), DEFAULT (an INSERT's)
# What may be called outside FROM: the allow-list, and the row generators, which DuckDB's
# binder also accepts in a select list (``unnest``, and ``unlist``, its other name).
CALLABLE = ALLOWED_FUNCTIONS | ALLOWED_TABLE_FUNCTIONS | {"unlist"}
_PREFIX = "Refused by DuckDB's parser check: "


class Connection(Protocol):
    def execute(self, sql: str, parameters: object = ...) -> Any: ...


def parse_tree(con: Connection, sql: str) -> dict:
    """DuckDB's parse tree of ``sql``, as ``json_serialize_sql`` writes it."""
    return json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])


def refusal(con: Connection, sql: str, world_tables: frozenset[str]) -> str | None:
    """Why DuckDB's tree of ``sql`` breaks a rule (one line for the learner), or None.

    ``world_tables`` holds the readable tables' names, folded (``sqlrules.fold_name``).
    """
    try:
        tree = parse_tree(con, sql)
    except RecursionError:
        return _PREFIX + "the query is nested too deeply to check; split it into steps with WITH"
    if tree.get("error"):
        return _PREFIX + f"DuckDB cannot describe this query ({tree.get('error_message')})"
    statements = tree.get("statements", [])
    if len(statements) != 1:
        return _PREFIX + f"only one SELECT query is allowed, found {len(statements)} statements"
    return _walk(statements[0]["node"], world_tables)


def references(con: Connection, sql: str) -> tuple[list[str], list[str]]:
    """The table names (with any qualifier, CTEs included) and function names DuckDB's
    parser finds in ``sql``, in order: what the differential fuzz compares with sqlglot."""
    tables, functions = [], []
    for node, _ in _nodes(parse_tree(con, sql)["statements"][0]["node"], frozenset()):
        if node.get("type") == "BASE_TABLE":
            parts = (node["catalog_name"], node["schema_name"], node["table_name"])
            tables.append(".".join(fold_name(part) for part in parts if part))
        elif "function_name" in node:
            functions.append(fold_name(node["function_name"]))
    return tables, functions


def _walk(root: dict, world_tables: frozenset[str]) -> str | None:
    for node, visible in _nodes(root, frozenset()):
        problem = _check_node(node, visible, world_tables)
        if problem:
            return _PREFIX + problem
    return None


def _nodes(root: dict, visible: frozenset[str]) -> Iterator[tuple[dict, frozenset[str]]]:
    """Every dict in the tree with the CTE names visible where it stands (iterative: a
    deep tree must not exhaust Python's stack)."""
    stack: list[tuple[Any, frozenset[str]]] = [(root, visible)]
    while stack:
        value, visible = stack.pop()
        if isinstance(value, list):
            stack.extend((item, visible) for item in value)
            continue
        if not isinstance(value, dict):
            continue
        yield value, visible
        ctes = (value.get("cte_map") or {}).get("map") or []
        inner = visible
        for entry in ctes:
            name = fold_name(entry["key"])
            query = entry["value"].get("query_node") or {}
            # A CTE sees the ones before it; itself only when it is recursive.
            own = inner | {name} if query.get("type") == "RECURSIVE_CTE_NODE" else inner
            stack.append((entry["value"], own))
            inner = inner | {name}
        for key, child in value.items():
            if key == "cte_map":
                continue
            if key == "function" and value.get("type") == "TABLE_FUNCTION":
                stack.append((child.get("arguments", []), inner))  # its name is checked as a table function
                continue
            if isinstance(child, dict | list):
                stack.append((child, inner))


def _check_node(node: dict, visible: frozenset[str], world_tables: frozenset[str]) -> str | None:
    kind = node.get("type")
    if "class" in node:
        if node["class"] not in EXPRESSIONS:
            return f"{_describe(node['class'])} expressions are not allowed"
        if "function_name" in node:
            return _check_function(node)
        if node["class"] == "TYPE" and (node.get("schema") or node.get("catalog")):
            return f"type {node.get('type_name')}: write type names without a schema"
        return None
    if "modifiers" in node and "cte_map" in node:
        return None if kind in QUERY_NODES else f"{_describe(kind)} queries are not allowed"
    if "alias" in node and "sample" in node:  # a table reference
        if kind not in TABLE_REFS:
            return f"{_describe(kind)} in FROM is not allowed; query the world's tables"
        if kind == "BASE_TABLE":
            return _check_table(node, visible, world_tables)
        if kind == "TABLE_FUNCTION":
            function = node["function"]
            name = fold_name(function.get("function_name", ""))
            if name not in ALLOWED_TABLE_FUNCTIONS or function.get("schema") or function.get("catalog"):
                return f"{name}() is not allowed in FROM: only range(), generate_series() and unnest()"
    return None


def _check_function(node: dict) -> str | None:
    name = fold_name(node["function_name"])
    if node.get("schema") or node.get("catalog"):
        qualified = ".".join(part for part in (node.get("catalog"), node.get("schema"), name) if part)
        return f"{qualified}(): write function names without a schema"
    if name not in CALLABLE:
        return f"{name}() is not allowed (it is not a plain function for reading the world)"
    return None


def _check_table(node: dict, visible: frozenset[str], world_tables: frozenset[str]) -> str | None:
    name, schema = fold_name(node["table_name"]), fold_name(node["schema_name"])
    if node["catalog_name"] or schema not in ("", "main"):
        qualified = ".".join(part for part in (node["catalog_name"], node["schema_name"], node["table_name"]) if part)
        return f"table {qualified} is not one of the world's tables (write the table name alone)"
    if (not schema and name in visible) or name in world_tables:
        return None
    return (
        f"table {node['table_name']!r} is neither one of the world's tables nor a CTE defined "
        "before it in an enclosing WITH"
    )


def _describe(kind: object) -> str:
    return str(kind).replace("_", " ").strip().upper()
