"""Static warnings shown beside the verdict (DESIGN §3 step 4).

The result comparison decides the verdict; lint only points at SQL shapes that often give
misleading numbers on this warehouse and names the safer pattern. Precision beats recall:
a rule stays silent unless the risky shape is plainly there, because a false warning on a
correct answer costs the learner more than a missed one.

A rule is one small function registered with ``@_rule``; its docstring (anti-pattern /
best practice) is its documentation, and ``tests/lint_fixtures/`` holds its cases.

>>> [(f.rule, f.name) for f in lint("SELECT COUNT(*) FROM accounts WHERE signup_ts_utc < now()")]
[('SD203', 'wall-clock')]
>>> lint("SELEC what")
[]
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.helper import seq_get
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope

from sqldrills.world.schema import TABLES, Column

GRAINS = ("account", "profile", "device", "session")

# Lint runs in the grader process, outside the sandbox's time limit, and sqlglot's
# qualification is quadratic in the number of SELECTs (a 95,000-character UNION chain took
# minutes). The catalog's longest answer is 2,400 characters: far longer texts get no
# advice rather than unbounded CPU; the grader refuses over 100,000 anyway.
MAX_LINT_CHARS = 20_000


@dataclass(frozen=True)
class LintContext:
    """What the challenge asks, so that rules can tell a wrong unit from a right one."""

    grain: str | None = None  # the unit the question counts: one of GRAINS
    local_time: bool = False  # the challenge asks for member-local days or hours
    ratio_of_sums: bool = False  # the challenge asks for a ratio of sums

    def __post_init__(self) -> None:
        if self.grain is not None and self.grain not in GRAINS:
            raise ValueError(f"grain must be one of {', '.join(GRAINS)}, not {self.grain!r}")
        for name in ("local_time", "ratio_of_sums"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> LintContext:
        """Build a context from a challenge's ``[lint]`` table; unknown keys are errors.

        >>> LintContext.from_mapping({"grain": "account"})
        LintContext(grain='account', local_time=False, ratio_of_sums=False)
        >>> LintContext.from_mapping({"grian": "account"})
        Traceback (most recent call last):
        ValueError: unknown lint context key 'grian' (known: grain, local_time, ratio_of_sums)
        """
        data = dict(data or {})
        known = [f.name for f in fields(cls)]
        for key in data:
            if key not in known:
                raise ValueError(f"unknown lint context key {key!r} (known: {', '.join(known)})")
        return cls(**data)


@dataclass(frozen=True)
class Finding:
    rule: str  # stable id, e.g. "SD101"
    name: str  # short kebab-case name, e.g. "distinct-finer-grain"
    message: str  # one line for a learner: what looks risky and the better pattern
    line: int | None = None


Hit = tuple[exp.Expression, str]  # the node a rule points at, and its message


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    check: Callable[[_Query, LintContext], Iterator[Hit]]

    @property
    def doc(self) -> str:
        """The rule's documentation: its function's docstring."""
        return inspect.getdoc(self.check) or ""


RULES: dict[str, Rule] = {}


def _rule(rule_id: str, name: str) -> Callable:
    def register(check: Callable[[_Query, LintContext], Iterator[Hit]]) -> Callable:
        RULES[rule_id] = Rule(rule_id, name, check)
        return check

    return register


def lint(
    sql: str, context: LintContext = LintContext(), *, dialect: str = "duckdb"
) -> list[Finding]:
    """Warnings for ``sql``, ordered by line; never raises on bad SQL.

    >>> sql = "SELECT COUNT(DISTINCT device_id) AS members FROM events"
    >>> [f.name for f in lint(sql, LintContext(grain="account"))]
    ['distinct-finer-grain']
    >>> lint(sql, LintContext(grain="device"))
    []
    """
    if len(sql) > MAX_LINT_CHARS:
        return []
    findings: list[Finding] = []
    try:
        statements = sqlglot.parse(sql, read=dialect)
        for statement in filter(None, statements):
            query = _Query(statement)
            for rule in RULES.values():
                for node, message in rule.check(query, context):
                    finding = Finding(rule.id, rule.name, message, _line(node))
                    if finding not in findings:
                        findings.append(finding)
    except SqlglotError:
        return []
    except RecursionError:  # nesting too deep for sqlglot; the grader refuses it next
        return []
    return sorted(findings, key=lambda f: (f.line or 0, f.rule))


# --- the query as rules see it ---------------------------------------------------------

_SCHEMA = {table: {c.name: c.type for c in columns} for table, columns in TABLES.items()}
_COLUMNS = {(table, c.name): c for table, columns in TABLES.items() for c in columns}


class _Query:
    """One statement, columns qualified against the public schema where sqlglot can."""

    def __init__(self, statement: exp.Expression) -> None:
        self.tree = _qualified(statement)
        try:
            self.scopes = traverse_scope(self.tree)
        except Exception:  # as in _qualified: scope-based rules then stay silent
            self.scopes = []
        self._scope_of_column = {id(c): s for s in self.scopes for c in s.columns}
        self._scope_of_select = {id(s.expression): s for s in self.scopes}

    def scope_of(self, node: exp.Expression) -> Scope | None:
        """The scope a column or a SELECT belongs to."""
        return self._scope_of_column.get(id(node)) or self._scope_of_select.get(id(node))

    def lineage(self, column: exp.Column) -> tuple[list[tuple[exp.Column, Scope]], Any]:
        """Follow a column down through CTEs and derived tables that pass it on unchanged.

        Returns the hops (column, scope) and where the last one comes from: a base
        ``exp.Table``, the expression that computes it, or None when unknown.
        """
        hops: list[tuple[exp.Column, Scope]] = []
        scope = self.scope_of(column)
        while scope is not None and len(hops) < 32:
            hops.append((column, scope))
            source = _source(column, scope)
            if not (isinstance(source, Scope) and isinstance(source.expression, exp.Select)):
                return hops, source
            definition = _projection(source.expression, column.name)
            if not isinstance(definition, exp.Column):
                return hops, definition
            column, scope = definition, source
        return hops, None

    def origin(self, column: exp.Column) -> Column | None:
        """The public-schema column this column passes on unchanged, if any."""
        hops, source = self.lineage(column)
        if isinstance(source, exp.Table) and hops:
            return _COLUMNS.get((source.name, hops[-1][0].name))
        return None

    def base_name(self, column: exp.Column) -> str:
        origin = self.origin(column)
        return origin.name if origin else column.name

    def definition(self, column: exp.Column) -> exp.Expression | None:
        """The expression a CTE or derived table computes this column with, if any."""
        _, source = self.lineage(column)
        computed = isinstance(source, exp.Expression) and not isinstance(source, exp.Table)
        return source if computed else None

    def may_be_null(self, column: exp.Column) -> bool:
        """The schema or an outer join lets it be NULL, and no filter on the way rules it out."""
        hops, _ = self.lineage(column)
        if any(_where_rejects_null(scope, col) for col, scope in hops):
            return False
        origin = self.origin(column)
        return bool(origin and origin.nullable) or any(
            col.table in _outer_joined(scope) for col, scope in hops
        )

    def is_timestamp(self, node: exp.Expression) -> bool:
        """A ``*_ts_utc`` column (followed through CTEs) or a time-zone conversion of one."""
        node = node.unnest()
        if _is_tz_conversion(node):
            return True
        if not isinstance(node, exp.Column):
            return False
        origin = self.origin(node)
        return origin.type == "TIMESTAMP" if origin else node.name.endswith("_ts_utc")


def _qualified(statement: exp.Expression) -> exp.Expression:
    try:
        return qualify(
            statement.copy(),
            schema=_SCHEMA,
            dialect="duckdb",
            validate_qualify_columns=False,
            quote_identifiers=False,
        )
    except Exception:  # lint must never break grading: rules fall back to bare column names
        return statement


def _source(column: exp.Column, scope: Scope) -> Any:
    if not column.table:
        selected = list(scope.selected_sources.values())
        return selected[0][1] if len(selected) == 1 else None
    while scope is not None:
        if column.table in scope.sources:
            return scope.sources[column.table]
        scope = scope.parent
    return None


def _projection(select: exp.Select, name: str) -> exp.Expression | None:
    for projection in select.selects:
        if projection.alias_or_name.lower() == name.lower():
            return projection.unalias()
    return None


def _outer_joined(scope: Scope) -> set[str]:
    """Aliases whose columns are NULL on unmatched rows of an outer join."""
    select = scope.expression
    if not isinstance(select, exp.Select):
        return set()
    aliases = set()
    for join in select.args.get("joins") or []:
        if join.side in ("LEFT", "FULL"):
            aliases.add(join.this.alias_or_name)
    return aliases


def _conjuncts(predicate: exp.Expression | None) -> list[exp.Expression]:
    if predicate is None:
        return []
    return list(predicate.flatten()) if isinstance(predicate, exp.And) else [predicate]


def _where_rejects_null(scope: Scope, column: exp.Column) -> bool:
    where = scope.expression.args.get("where") if isinstance(scope.expression, exp.Select) else None
    return any(
        _rejects_null(p, lambda c: c.table == column.table and c.name == column.name)
        for p in _conjuncts(where and where.this)
    )


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike)
# Operations that are NULL whenever an input is (unlike COALESCE, CASE, IS, concat()).
_NULL_PROPAGATING = (
    exp.Column, exp.Identifier, exp.Literal, exp.Cast, exp.Paren, exp.Add, exp.Sub, exp.Mul,
    exp.Div, exp.IntDiv, exp.Mod, exp.Neg, exp.Interval, exp.Var, exp.DataType, exp.Date,
    exp.TimestampTrunc, exp.DateTrunc, exp.Extract, exp.Lower, exp.Upper,
)  # fmt: skip


def _rejects_null(predicate: exp.Expression, is_target: Callable[[exp.Column], bool]) -> bool:
    """True when ``predicate`` cannot be TRUE while a target column is NULL."""
    p = predicate.unnest()
    if isinstance(p, exp.And):
        return any(_rejects_null(part, is_target) for part in p.flatten())
    if isinstance(p, exp.Or):
        return all(_rejects_null(part, is_target) for part in p.flatten())
    if isinstance(p, exp.Not):
        inner = p.this.unnest()
        if isinstance(inner, exp.Is):  # IS NOT NULL
            return _strict_use(inner.this, is_target)
        return isinstance(inner, (exp.Column, *_COMPARISONS, exp.In, exp.Between)) and (
            _rejects_null(inner, is_target)
        )
    if isinstance(p, (exp.In, exp.Between)):
        return _strict_use(p.this, is_target)
    if isinstance(p, _COMPARISONS):
        return _strict_use(p.this, is_target) or _strict_use(p.expression, is_target)
    return isinstance(p, exp.Column) and is_target(p)


def _strict_use(operand: exp.Expression, is_target: Callable[[exp.Column], bool]) -> bool:
    nodes = list(operand.walk())
    return all(isinstance(n, _NULL_PROPAGATING) for n in nodes) and any(
        isinstance(n, exp.Column) and is_target(n) for n in nodes
    )


def _is_tz_conversion(node: exp.Expression) -> bool:
    if isinstance(node, (exp.AtTimeZone, exp.ConvertTimezone)):
        return True
    return isinstance(node, exp.Anonymous) and node.name.lower() in ("timezone", "convert_timezone")


def _strip(node: exp.Expression, *wrappers: type[exp.Expression]) -> exp.Expression:
    node = node.unnest()
    while isinstance(node, wrappers):
        node = node.this.unnest()
    return node


def _line(node: exp.Expression) -> int | None:
    lines = [n.meta["line"] for n in node.walk() if "line" in n.meta]
    if lines:
        return min(lines)
    # Keywords such as CURRENT_DATE carry no position: borrow the nearest positioned node's.
    before = None
    found = False
    for other in node.root().walk(bfs=False):
        if other is node:
            found = True
        elif "line" in other.meta:
            if found:
                return before if before is not None else other.meta["line"]
            before = other.meta["line"]
    return before


def _short(node: exp.Expression) -> str:
    """The node as SQL, without the table qualifiers qualification added (they have no meta)."""
    node = node.copy()
    for column in node.find_all(exp.Column):
        qualifier = column.args.get("table")
        if qualifier is not None and "line" not in qualifier.meta:
            column.set("table", None)
    text = node.sql(dialect="duckdb")
    return text if len(text) <= 60 else text[:57] + "..."


def _column_names(expressions: list[exp.Expression]) -> set[str]:
    return {e.unalias().name for e in expressions if isinstance(e.unalias(), exp.Column)}


# --- rules: counting and grain ---------------------------------------------------------

_UNIT_OF_ID = {f"{unit}_id": unit for unit in GRAINS}
_FINER_UNITS = {
    "account": {"profile", "device", "session"},
    "profile": {"session"},
    "device": {"session"},
    "session": set(),
}


@_rule("SD101", "distinct-finer-grain")
def distinct_finer_grain(query: _Query, context: LintContext) -> Iterator[Hit]:
    """COUNT(DISTINCT ...) of a finer unit than the one the question counts.

    A member has several devices, profiles and sessions, so counting any of them
    overstates a count of members. Applies when the challenge names its grain; silent
    when the count is a measure per entity (grouped or partitioned by an id column).

    **Anti-pattern** (the question counts accounts)::

        SELECT a.plan, COUNT(DISTINCT e.device_id) AS members
        FROM (SELECT DISTINCT ON (event_id) * FROM events) e
        JOIN accounts a USING (account_id)
        GROUP BY a.plan

    **Best practice**::

        SELECT a.plan, COUNT(DISTINCT e.account_id) AS members
        FROM (SELECT DISTINCT ON (event_id) * FROM events) e
        JOIN accounts a USING (account_id)
        GROUP BY a.plan
    """
    if context.grain is None:
        return
    for scope in query.scopes:
        for count in scope.find_all(exp.Count):
            if not isinstance(count.this, exp.Distinct) or len(count.this.expressions) != 1:
                continue
            target = count.this.expressions[0].unnest()
            if not isinstance(target, exp.Column):
                continue
            unit = _UNIT_OF_ID.get(query.base_name(target))
            if unit in _FINER_UNITS[context.grain] and not _per_entity(query, scope, count):
                message = (
                    f"{_short(count)} counts {unit}s, but the question counts "
                    f"{context.grain}s: count DISTINCT {context.grain}_id"
                )
                yield count, message


def _per_entity(query: _Query, scope: Scope, count: exp.Count) -> bool:
    """The count is computed per account/profile/device/session, not as a head count."""
    if isinstance(count.parent, exp.Window):
        keys = count.parent.args.get("partition_by") or []
    else:
        group = scope.expression.args.get("group")
        if group is None:
            return False
        keys = group.expressions
        if group.args.get("all"):
            keys = [p for p in scope.expression.selects if not p.find(exp.AggFunc)]
    return any(
        isinstance(k.unalias(), exp.Column) and query.base_name(k.unalias()) in _UNIT_OF_ID
        for k in keys
    )


_MULTIPLICITY_SENSITIVE = (exp.Count, exp.Sum, exp.Avg, exp.Median)


@_rule("SD102", "events-not-deduplicated")
def events_not_deduplicated(query: _Query, context: LintContext) -> Iterator[Hit]:
    """COUNT/SUM/AVG over ``events`` rows without removing re-delivered events.

    Delivery is at-least-once: a re-sent event repeats its ``event_id`` (only
    ``received_ts_utc`` differs), so counts and sums over raw events run high.
    Silent as soon as the query deduplicates ``event_id`` anywhere (DISTINCT ON,
    GROUP BY, ROW_NUMBER/QUALIFY partitioned by it, COUNT(DISTINCT event_id)), and for
    aggregates that ignore repeats (MIN, MAX, COUNT(DISTINCT ...)).

    **Anti-pattern**::

        SELECT account_id, SUM(watch_seconds) AS watch_seconds
        FROM events
        GROUP BY account_id

    **Best practice**::

        SELECT account_id, SUM(watch_seconds) AS watch_seconds
        FROM (SELECT DISTINCT ON (event_id) * FROM events)
        GROUP BY account_id
    """
    if _deduplicates_events(query.tree):
        return
    for scope in query.scopes:
        # A window over grouped rows sees groups, not events.
        grouped = isinstance(scope.expression, exp.Select) and _aggregates_rows(scope.expression)
        aggregates = [
            node
            for node in scope.find_all(*_MULTIPLICITY_SENSITIVE, exp.Anonymous)
            if _is_multiplicity_sensitive(node) and not (grouped and _in_window(node))
        ]
        if aggregates and _reads_event_rows(scope):
            message = (
                f"{_short(aggregates[0])} runs over events that repeat re-delivered event_ids: "
                "deduplicate first, e.g. FROM (SELECT DISTINCT ON (event_id) * FROM events)"
            )
            yield aggregates[0], message


def _in_window(node: exp.Expression) -> bool:
    parent = node.parent.parent if isinstance(node.parent, exp.Filter) else node.parent
    return isinstance(parent, exp.Window)


def _aggregates_rows(select: exp.Select) -> bool:
    """GROUP BY, or an aggregate outside a window: one row per group comes out."""
    return select.args.get("group") is not None or any(
        isinstance(n, exp.AggFunc) and not _in_window(n)
        for projection in select.selects
        for n in projection.walk()
    )


def _is_multiplicity_sensitive(node: exp.Expression) -> bool:
    if isinstance(node, exp.Anonymous):
        return node.name.lower() == "mean"
    return not (isinstance(node, exp.Count) and isinstance(node.this, exp.Distinct))


def _deduplicates_events(tree: exp.Expression) -> bool:
    """Some part of the query keeps one row per ``event_id``."""
    for node in tree.find_all(exp.Distinct, exp.Group, exp.Window):
        if isinstance(node, exp.Window):
            keys = node.args.get("partition_by") or []
        elif isinstance(node, exp.Group):
            keys = node.expressions
            if node.args.get("all") and isinstance(node.parent, exp.Select):
                keys = node.parent.selects
        elif node.args.get("on") is not None:
            keys = node.args["on"].expressions
        elif isinstance(node.parent, exp.Count):
            keys = node.expressions
        elif isinstance(node.parent, exp.Select) and not _keeps_deliveries(node.parent):
            keys = node.parent.selects
        else:
            continue
        if "event_id" in _column_names(keys):
            return True
    return False


def _reads_event_rows(scope: Scope) -> bool:
    """A FROM/JOIN source of the scope can hold one row per delivery of an event."""
    rowless = _semi_or_anti_joined(scope)
    for alias, (_node, source) in scope.selected_sources.items():
        if alias in rowless:
            continue
        if isinstance(source, exp.Table) and source.name == "events":
            return True
        if isinstance(source, Scope) and _passes_event_rows(source):
            return True
    return False


def _semi_or_anti_joined(scope: Scope) -> set[str]:
    """Joined aliases that only filter rows: SEMI/ANTI joins, and LEFT JOIN ... IS NULL."""
    select = scope.expression
    if not isinstance(select, exp.Select):
        return set()
    where = select.args.get("where")
    null_tested = {
        c.this.table
        for c in _conjuncts(where and where.this)
        if isinstance(c, exp.Is)
        and isinstance(c.expression, exp.Null)
        and isinstance(c.this, exp.Column)
    }
    return {
        join.this.alias_or_name
        for join in select.args.get("joins") or []
        if join.kind in ("SEMI", "ANTI")
        or (join.side == "LEFT" and join.this.alias_or_name in null_tested)
    }


def _passes_event_rows(scope: Scope) -> bool:
    expression = scope.expression
    if isinstance(expression, exp.SetOperation):
        return not expression.args.get("distinct") and any(
            _passes_event_rows(branch) for branch in scope.set_operation_scopes
        )
    if not isinstance(expression, exp.Select):
        return False
    if _aggregates_rows(expression):
        return False
    if expression.args.get("distinct") is not None and not _keeps_deliveries(expression):
        return False
    return _reads_event_rows(scope)


def _keeps_deliveries(select: exp.Select) -> bool:
    """SELECT DISTINCT still keeps one row per delivery when it selects received_ts_utc."""
    return any(isinstance(p, exp.Star) for p in select.selects) or (
        "received_ts_utc" in _column_names(select.selects)
    )


@_rule("SD103", "average-of-ratios")
def average_of_ratios(query: _Query, context: LintContext) -> Iterator[Hit]:
    """AVG of a per-row or per-group ratio where the question asks for a ratio of sums.

    The mean of per-member (or per-session) rates weighs a member with 3 events like
    one with 3,000; an overall rate is SUM(numerator) / SUM(denominator).
    Applies when the challenge asks for a ratio of sums; silent for AVG of a 0/1 flag
    and for division by a constant.

    **Anti-pattern** (the share of events that are plays)::

        WITH per_account AS (
            SELECT account_id,
                   COUNT(*) FILTER (WHERE event_type = 'play_start') / COUNT(*) AS play_share
            FROM (SELECT DISTINCT ON (event_id) * FROM events)
            GROUP BY account_id
        )
        SELECT AVG(play_share) AS play_share FROM per_account

    **Best practice**::

        SELECT COUNT(*) FILTER (WHERE event_type = 'play_start') / COUNT(*) AS play_share
        FROM (SELECT DISTINCT ON (event_id) * FROM events)
    """
    if not context.ratio_of_sums:
        return
    for node in query.tree.find_all(exp.Avg, exp.Anonymous):
        if isinstance(node, exp.Anonymous) and node.name.lower() != "mean":
            continue
        argument = node.this if isinstance(node, exp.Avg) else seq_get(node.expressions, 0)
        if argument is not None and _is_ratio(query, argument):
            message = (
                f"{_short(node)} averages ratios, so small and large rows weigh the same: "
                "the question asks for SUM(numerator) / SUM(denominator)"
            )
            yield node, message


def _is_ratio(query: _Query, node: exp.Expression, depth: int = 0) -> bool:
    node = _strip(node, exp.Cast, exp.Round)
    if isinstance(node, (exp.Div, exp.SafeDivide)):
        return node.expression.find(exp.Column, exp.AggFunc) is not None  # not a unit change
    if isinstance(node, exp.Mul):
        return _is_ratio(query, node.this, depth) or _is_ratio(query, node.expression, depth)
    if isinstance(node, exp.Column) and depth < 8:
        definition = query.definition(node)
        return definition is not None and _is_ratio(query, definition, depth + 1)
    return False


@_rule("SD104", "division-to-integer")
def division_to_integer(query: _Query, context: LintContext) -> Iterator[Hit]:
    """A ratio of aggregates truncated with ``//``, or a division cast to an integer.

    DuckDB's ``/`` already returns a DOUBLE, so ``COUNT(x) / COUNT(*)`` is fine; but
    ``COUNT(x) // COUNT(*)`` is 0 or 1, and ``CAST(a / b AS INTEGER)`` *rounds*
    (``CAST(7 / 2 AS INTEGER)`` is 4), which puts day 4 of a week into the next week.

    **Anti-pattern**::

        SELECT CAST(date_diff('day', a.signup_ts_utc, e.event_ts_utc) / 7 AS INTEGER) AS week,
               COUNT(*) FILTER (WHERE e.event_type = 'play_start') // COUNT(*) AS play_share
        FROM accounts a JOIN (SELECT DISTINCT ON (event_id) * FROM events) e USING (account_id)
        GROUP BY week

    **Best practice**::

        SELECT date_diff('day', a.signup_ts_utc, e.event_ts_utc) // 7 AS week,
               COUNT(*) FILTER (WHERE e.event_type = 'play_start') / COUNT(*) AS play_share
        FROM accounts a JOIN (SELECT DISTINCT ON (event_id) * FROM events) e USING (account_id)
        GROUP BY week
    """
    for node in query.tree.find_all(exp.IntDiv, exp.Cast):
        if isinstance(node, exp.IntDiv):
            if node.this.find(exp.AggFunc) and node.expression.find(exp.AggFunc):
                message = (
                    f"{_short(node)} truncates a ratio of aggregates to an integer: "
                    "use / (DuckDB divides as DOUBLE)"
                )
                yield node, message
        elif node.to.this in exp.DataType.INTEGER_TYPES and isinstance(node.this.unnest(), exp.Div):
            message = (
                f"{_short(node)} rounds to the nearest integer (7 / 2 -> 4): "
                "use a // b or floor(a / b) for buckets, round() if rounding is meant"
            )
            yield node, message


# --- rules: time -----------------------------------------------------------------------

_DATE_LITERAL = re.compile(r"\d{4}-\d{2}-\d{2}")


@_rule("SD201", "between-timestamp-dates")
def between_timestamp_dates(query: _Query, context: LintContext) -> Iterator[Hit]:
    """A timestamp bounded above by a date: BETWEEN ... AND '2024-01-31', or <= a date.

    The date means midnight at the *start* of that day, so every event later on the
    last day is dropped. Bound timestamps with a half-open range instead.

    **Anti-pattern**::

        SELECT COUNT(DISTINCT account_id) AS members
        FROM events
        WHERE event_ts_utc BETWEEN '2024-01-01' AND '2024-01-31'

    **Best practice**::

        SELECT COUNT(DISTINCT account_id) AS members
        FROM events
        WHERE event_ts_utc >= '2024-01-01' AND event_ts_utc < '2024-02-01'
    """
    for node in query.tree.find_all(exp.Between, exp.LTE, exp.GTE):
        if isinstance(node, exp.Between):
            value, upper = node.this, node.args["high"]
        elif isinstance(node, exp.LTE):
            value, upper = node.this, node.expression
        else:
            value, upper = node.expression, node.this
        # An inclusive BETWEEN means "through that day"; a bare <= only with a literal day.
        literal_only = not isinstance(node, exp.Between)
        if query.is_timestamp(value) and _is_date(query, upper, literal_only):
            message = (
                f"{_short(node)} stops at 00:00 of the last day and misses the rest of it: "
                "use ts >= start AND ts < the day after the end"
            )
            yield node, message


def _is_date(query: _Query, node: exp.Expression, literal_only: bool) -> bool:
    node = node.unnest()
    if isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.DATE:
        return not literal_only or _is_date(query, node.this, literal_only)
    if isinstance(node, exp.Literal):
        return node.is_string and _DATE_LITERAL.fullmatch(node.this) is not None
    if literal_only:
        return False
    if isinstance(node, (exp.Date, exp.CurrentDate)):
        return True
    origin = query.origin(node) if isinstance(node, exp.Column) else None
    return origin is not None and origin.type == "DATE"


_CALENDAR_UNITS = {
    "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "DOW", "ISODOW", "DOY", "DAYOFWEEK",
    "DAYOFMONTH", "DAYOFYEAR", "WEEKDAY", "WEEKOFYEAR", "ISOYEAR", "YEARWEEK", "DATE",
}  # fmt: skip
_ALWAYS_CALENDAR_CUTS = (
    exp.Date, exp.Day, exp.DayOfMonth, exp.DayOfWeek, exp.DayOfWeekIso, exp.DayOfYear,
    exp.Dayname, exp.Hour, exp.Month, exp.Quarter, exp.Week, exp.WeekOfYear, exp.Year,
    exp.YearOfWeek, exp.YearOfWeekIso, exp.TimeToStr, exp.TsOrDsToDate,
)  # fmt: skip


_TIMESTAMP_TYPES = {exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ}


@_rule("SD202", "utc-date-cut")
def utc_date_cut(query: _Query, context: LintContext) -> Iterator[Hit]:
    """Days or hours cut from a ``*_ts_utc`` column when the question asks for local time.

    ``CAST(event_ts_utc AS DATE)`` is the UTC day: an evening in Los Angeles lands on
    tomorrow, a morning in Sydney on yesterday. Convert to the member's zone first.
    Applies when the challenge asks for member-local days or hours; silent for columns
    the query converts with timezone() / AT TIME ZONE. In DuckDB the UTC timestamp must be
    a TIMESTAMPTZ for ``timezone(zone, ts)`` to mean "UTC to local" (on a naive TIMESTAMP it
    converts the other way).

    **Anti-pattern** (member-local days)::

        SELECT CAST(e.event_ts_utc AS DATE) AS day, COUNT(DISTINCT e.account_id) AS members
        FROM (SELECT DISTINCT ON (event_id) * FROM events) e
        GROUP BY day

    **Best practice**::

        SELECT CAST(timezone(a.home_tz, e.event_ts_utc::TIMESTAMPTZ) AS DATE) AS day,
               COUNT(DISTINCT e.account_id) AS members
        FROM (SELECT DISTINCT ON (event_id) * FROM events) e
        JOIN accounts a USING (account_id)
        GROUP BY day
    """
    if not context.local_time:
        return
    converted = {
        _column_key(query, column)
        for node in query.tree.walk()
        if _is_tz_conversion(node)
        for column in node.find_all(exp.Column)
    }
    for node in query.tree.walk():
        if not _is_calendar_cut(node):
            continue
        for argument in node.iter_expressions():
            column = argument.unnest()
            if isinstance(column, exp.Cast) and column.to.this in _TIMESTAMP_TYPES:
                column = column.this.unnest()
            if (
                isinstance(column, exp.Column)
                and query.is_timestamp(column)
                and _column_key(query, column) not in converted
            ):
                message = (
                    f"{_short(node)} cuts {column.name} at UTC midnight/hours, but the question "
                    "asks for local time: convert first, e.g. timezone(a.home_tz, ts::TIMESTAMPTZ)"
                )
                yield node, message


def _column_key(query: _Query, column: exp.Column) -> tuple[str, ...]:
    origin = query.origin(column)
    return (origin.name,) if origin else (column.table, column.name)


def _is_calendar_cut(node: exp.Expression) -> bool:
    if isinstance(node, exp.Cast):
        return node.to.this == exp.DataType.Type.DATE
    if isinstance(node, _ALWAYS_CALENDAR_CUTS):
        return True
    if isinstance(node, (exp.TimestampTrunc, exp.DateTrunc, exp.Extract)):
        unit = node.args.get("unit") or node.this
        return unit is not None and unit.name.upper() in _CALENDAR_UNITS
    if isinstance(node, exp.DateBin):
        return any(unit in node.this.sql().upper() for unit in ("HOUR", "DAY", "WEEK", "MONTH"))
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("date_part", "datepart"):
        unit = seq_get(node.expressions, 0)
        return unit is not None and unit.name.upper() in _CALENDAR_UNITS
    return False


_WALL_CLOCK_NODES = (
    exp.CurrentDate, exp.CurrentTime, exp.CurrentTimestamp, exp.CurrentDatetime,
    exp.CurrentTimestampLTZ, exp.Localtime, exp.Localtimestamp,
)  # fmt: skip
_WALL_CLOCK_FUNCTIONS = {
    "now", "get_current_timestamp", "get_current_time", "transaction_timestamp",
    "statement_timestamp", "current_localtimestamp", "current_localtime", "today",
}  # fmt: skip


@_rule("SD203", "wall-clock")
def wall_clock(query: _Query, context: LintContext) -> Iterator[Hit]:
    """The machine's clock (now(), current_date, ...) instead of the world's "now".

    A generated world ends at ``dataset_info.as_of_ts_utc``; the real clock moves on,
    so "last 7 days" from now() is empty today and different tomorrow.

    **Anti-pattern**::

        SELECT COUNT(*) AS new_members
        FROM accounts
        WHERE signup_ts_utc >= now() - INTERVAL 7 DAY

    **Best practice**::

        SELECT COUNT(*) AS new_members
        FROM accounts, dataset_info
        WHERE signup_ts_utc >= as_of_ts_utc - INTERVAL 7 DAY
          AND signup_ts_utc < as_of_ts_utc
    """
    for node in query.tree.walk():
        if isinstance(node, _WALL_CLOCK_NODES) or (
            isinstance(node, exp.Anonymous) and node.name.lower() in _WALL_CLOCK_FUNCTIONS
        ):
            message = (
                f"{_short(node)} reads this machine's clock, not the world's: "
                "use (SELECT as_of_ts_utc FROM dataset_info)"
            )
            yield node, message


# --- rules: NULLs and joins ------------------------------------------------------------


@_rule("SD301", "not-in-nullable")
def not_in_nullable(query: _Query, context: LintContext) -> Iterator[Hit]:
    """NOT IN (subquery) over a column that can be NULL.

    ``x NOT IN (... NULL ...)`` is never TRUE, so one NULL in the subquery (an event
    before profile selection, an untagged genre, a LEFT JOIN miss) silently empties the
    result. Silent when the subquery filters the NULLs out.

    **Anti-pattern**::

        SELECT COUNT(*) AS titles_never_played
        FROM titles
        WHERE title_id NOT IN (SELECT title_id FROM events)

    **Best practice**::

        SELECT COUNT(*) AS titles_never_played
        FROM titles t
        WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.title_id = t.title_id)
    """
    for node in query.tree.find_all(exp.Not):
        test = node.this.unnest()
        subquery = test.args.get("query") if isinstance(test, exp.In) else None
        select = subquery.unnest() if subquery is not None else None
        if not isinstance(select, exp.Select) or len(select.selects) != 1:
            continue
        column = select.selects[0].unalias()
        if isinstance(column, exp.Column) and query.may_be_null(column):
            message = (
                f"NOT IN over {column.name}, which can be NULL: one NULL makes NOT IN return "
                "no rows; use NOT EXISTS (SELECT 1 ... WHERE ... = outer.col)"
            )
            yield node, message


@_rule("SD302", "left-join-filtered-in-where")
def left_join_filtered_in_where(query: _Query, context: LintContext) -> Iterator[Hit]:
    """A WHERE condition on the right-hand table of a LEFT JOIN (other than IS NULL).

    Unmatched rows carry NULLs there, the condition is not TRUE for them, so they
    are dropped: the LEFT JOIN has become an INNER JOIN and members who never played
    disappear from the denominator. Put the condition in the ON clause.

    **Anti-pattern**::

        SELECT a.account_id, COUNT(e.event_id) AS plays
        FROM accounts a
        LEFT JOIN (SELECT DISTINCT ON (event_id) * FROM events) e
          ON e.account_id = a.account_id
        WHERE e.event_type = 'play_start'
        GROUP BY a.account_id

    **Best practice**::

        SELECT a.account_id, COUNT(e.event_id) AS plays
        FROM accounts a
        LEFT JOIN (SELECT DISTINCT ON (event_id) * FROM events) e
          ON e.account_id = a.account_id AND e.event_type = 'play_start'
        GROUP BY a.account_id
    """
    for scope in query.scopes:
        select = scope.expression
        if not isinstance(select, exp.Select) or select.args.get("where") is None:
            continue
        for join in select.args.get("joins") or []:
            if join.side != "LEFT":
                continue
            alias = join.this.alias_or_name
            for condition in _conjuncts(select.args["where"].this):
                if _rejects_null(condition, lambda c, alias=alias: c.table == alias):
                    message = (
                        f"WHERE {_short(condition)} drops the rows the LEFT JOIN kept for "
                        f"unmatched {alias} (it acts as an INNER JOIN): move it into ON"
                    )
                    yield condition, message
