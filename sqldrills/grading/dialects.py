"""Keep a dialect's own semantics when its answer is translated to DuckDB (docs/dialects.md).

sqlglot translates syntax; the result of an expression also depends on its *types*, and
those follow the learner's engine, not DuckDB's. ``sqlcheck`` annotates the learner's tree
with the types below and then calls :func:`keep_semantics` before writing DuckDB SQL.
Each rule is proven against a real PostgreSQL or MariaDB server by tests/test_dialects.py.

PostgreSQL (``--dialect postgres``):

* ``sum`` of a ``smallint``/``integer`` is a ``bigint``, of a ``bigint`` or ``numeric`` a
  ``numeric``; ``count`` is a ``bigint``; ``extract`` returns ``numeric`` (sqlglot already
  types ``avg`` as not an integer). So ``sum(bigint) / count(*)`` divides exactly while
  ``sum(integer) / count(*)`` still divides as integers:

  >>> from sqldrills.grading.sqlcheck import prepare_query
  >>> print(prepare_query("SELECT sum(account_id) / count(*) AS x FROM accounts", dialect="postgres"))
  SELECT SUM(account_id) / CASE WHEN COUNT(*) = 0 THEN ERROR('division by zero') ELSE COUNT(*) END AS x FROM accounts
  >>> prepare_query("SELECT sum(runtime_min) / 60 AS x FROM titles", dialect="postgres")
  'SELECT CAST(TRUNC(SUM(runtime_min) / 60) AS BIGINT) AS x FROM titles'

* ``date - date`` is an ``integer`` number of days, so dividing it divides integers:

  >>> prepare_query("SELECT (release_date - DATE '2026-01-01') / 7 AS w FROM titles", dialect="postgres")
  "SELECT CAST(TRUNC((release_date - CAST('2026-01-01' AS DATE)) / 7) AS BIGINT) AS w FROM titles"

* dividing by zero is an error (DuckDB gives NaN or infinity): a denominator that is not a
  nonzero number literal is guarded so the learner gets PostgreSQL's own error.

MySQL/MariaDB (``--dialect mysql``): ``/`` always divides exactly (sqlglot already writes
DuckDB's ``/``), and dividing by zero with ``/``, ``DIV`` or ``%`` gives NULL:

  >>> prepare_query("SELECT runtime_min % 0 AS r FROM titles", dialect="mysql")
  'SELECT runtime_min % NULLIF(0, 0) AS r FROM titles'

``DAYOFWEEK`` counts from Sunday = 1 and ``WEEKDAY`` from Monday = 0, and ``CONVERT_TZ``
takes offsets such as ``'+00:00'`` (DuckDB reads them as ``'GMT+00:00'``):

  >>> prepare_query("SELECT WEEKDAY(release_date) AS w, DAYOFWEEK(release_date) AS d FROM titles",
  ...               dialect="mysql")
  'SELECT (ISODOW(release_date) - 1) AS w, (DAYOFWEEK(release_date) + 1) AS d FROM titles'
  >>> sql = prepare_query("SELECT CONVERT_TZ(release_date, '+00:00', 'Asia/Kolkata') AS k FROM titles",
  ...                     dialect="mysql")
  >>> sql.removeprefix("SELECT CAST(release_date AS TIMESTAMP) ")
  "AT TIME ZONE 'GMT+00:00' AT TIME ZONE 'Asia/Kolkata' AS k FROM titles"
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

# PostgreSQL's own error text for every division by zero (integer, numeric and float).
DIVISION_BY_ZERO = "division by zero"

_OFFSET = re.compile(r"[+-]\d{1,2}:\d{2}")

_SMALL_INTEGERS = (exp.DType.TINYINT, exp.DType.SMALLINT, exp.DType.INT, exp.DType.UTINYINT,
                   exp.DType.USMALLINT)
_EXACT_WIDE = (exp.DType.BIGINT, exp.DType.UINT, exp.DType.UBIGINT, exp.DType.INT128,
               exp.DType.DECIMAL, exp.DType.BIGDECIMAL)


def _postgres_sum(annotator: Any, node: exp.Sum) -> exp.Expression:
    if node.this.is_type(*_SMALL_INTEGERS):
        return annotator._set_type(node, exp.DType.BIGINT)
    if node.this.is_type(*_EXACT_WIDE):
        return annotator._set_type(node, exp.DType.DECIMAL)
    return annotator._annotate_by_args(node, "this", promote=True)


def _postgres_sub(annotator: Any, node: exp.Sub) -> exp.Expression:
    annotator._annotate_binary(node)
    if node.left and node.right and node.left.is_type(exp.DType.DATE) and node.right.is_type(exp.DType.DATE):
        annotator._set_type(node, exp.DType.INT)
    return node


_POSTGRES_TYPES: dict[type[exp.Expression], Callable[[Any, Any], exp.Expression]] = {
    exp.Sum: _postgres_sum,
    exp.Sub: _postgres_sub,
    exp.Count: lambda annotator, node: annotator._set_type(node, exp.DType.BIGINT),
    exp.Extract: lambda annotator, node: annotator._set_type(node, exp.DType.DECIMAL),
}


def expression_metadata(dialect: str) -> dict | None:
    """The type rules ``annotate_types`` should follow for ``dialect`` (None: sqlglot's own).

    >>> expression_metadata("postgres")[exp.Sum]["annotator"] is _postgres_sum
    True
    >>> expression_metadata("bigquery") is None
    True
    """
    if dialect != "postgres":
        return None
    metadata = dict(Dialect.get_or_raise(dialect).EXPRESSION_METADATA)
    metadata.update({node: {"annotator": rule} for node, rule in _POSTGRES_TYPES.items()})
    return metadata


def keep_semantics(tree: exp.Expression, dialect: str) -> None:
    """Rewrite the typed ``tree`` in place so DuckDB computes what ``dialect`` would."""
    if dialect == "postgres":
        for node in list(tree.find_all(exp.Div)):
            if node.expression and not _nonzero_literal(node.expression):
                node.set("expression", _raise_if_zero(node.expression))
    elif dialect == "mysql":
        _keep_mysql_semantics(tree)


def _keep_mysql_semantics(tree: exp.Expression) -> None:
    # sqlglot already turns MySQL's `/` into `x / NULLIF(y, 0)`; DuckDB raises for `//`
    # and `%` by zero where MySQL gives NULL.
    for node in list(tree.find_all(exp.Mod, exp.IntDiv)):
        if node.expression and not _nonzero_literal(node.expression):
            node.set("expression", exp.Nullif(this=node.expression, expression=exp.Literal.number(0)))
    # MySQL counts weekdays from Sunday = 1 (DAYOFWEEK) or Monday = 0 (WEEKDAY); DuckDB's
    # functions of those names count from Sunday = 0.
    for node in list(tree.find_all(exp.DayOfWeek)):
        node.replace(exp.Paren(this=exp.Add(this=node.copy(), expression=exp.Literal.number(1))))
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.upper() == "WEEKDAY" and len(node.expressions) == 1:
            isodow = exp.Anonymous(this="ISODOW", expressions=node.expressions)
            node.replace(exp.Paren(this=exp.Sub(this=isodow, expression=exp.Literal.number(1))))
    # CONVERT_TZ(ts, '+00:00', zone): DuckDB knows no bare offsets, ICU reads them after GMT.
    for node in list(tree.find_all(exp.ConvertTimezone)):
        for zone in (node.args.get("source_tz"), node.args.get("target_tz")):
            if isinstance(zone, exp.Literal) and zone.is_string and _OFFSET.fullmatch(zone.this):
                zone.replace(exp.Literal.string(f"GMT{zone.this}"))


def _nonzero_literal(node: exp.Expression) -> bool:
    """A number written in the query that is not zero: dividing by it cannot fail.

    >>> import sqlglot
    >>> [_nonzero_literal(sqlglot.parse_one(s)) for s in ("60", "-2.5", "0", "0.0", "n", "0x1F")]
    [True, True, False, False, False, False]
    """
    while isinstance(node, exp.Neg | exp.Paren):
        node = node.this
    if not (isinstance(node, exp.Literal) and node.is_number):
        return False
    try:
        return float(node.this) != 0
    except ValueError:  # a spelling Python does not read (0x1F): treat it as unknown
        return False


def _raise_if_zero(denominator: exp.Expression) -> exp.Expression:
    """``CASE WHEN d = 0 THEN error('division by zero') ELSE d END``, typed like ``d``.

    DuckDB evaluates ``error()`` only for the rows that reach its branch, and keeps the
    type of ``d``, so integer division still sees integers.
    """
    guard = exp.Case(
        ifs=[exp.If(this=exp.EQ(this=denominator.copy(), expression=exp.Literal.number(0)),
                    true=exp.Anonymous(this="ERROR", expressions=[exp.Literal.string(DIVISION_BY_ZERO)]))],
        default=denominator,
    )
    guard.type = denominator.type
    return guard
