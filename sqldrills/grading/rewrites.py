"""The rewrites a reviewer would try on a wrong answer, one function each: given a node of
the query, each yields ``(kind, replacement)`` for every way to rewrite it (see
``sqldrills.grading.edits``). A kind says what the rewrite undoes and where ("grain
device_id->account_id", "comparison <=->< on event_ts_utc"), so that the drill's traps can
teach which kinds stand for which pitfalls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sqlglot
from sqlglot import exp

GRAINS = ("account_id", "profile_id", "device_id", "session_id")
# What a count can count by mistake: a unit of another grain, or the events themselves
# (plays counted where viewers were asked for).
_COUNTED = (*GRAINS, "event_id")
# Columns a candidate confuses with each other, each pair in both directions.
_CONFUSABLE = (("event_ts_utc", "received_ts_utc"), ("started_ts_utc", "ended_ts_utc"))

Rewrite = Callable[[exp.Expression], Iterator[tuple]]
"""Given a node, yield (kind, replacement) for each way to rewrite it, or (kind,
replacement, shown) where the whole node is too much to show: ``shown`` is the clause
(before, after) that changes, and the node it is on."""


def text(node: exp.Expression, dialect: str = "duckdb") -> str:
    text = " ".join(node.sql(dialect=dialect).split())
    return text if len(text) <= 80 else text[:77] + "..."


_COMPARISONS = {exp.LT: (exp.LTE, "<", "<="), exp.LTE: (exp.LT, "<=", "<"),
                exp.GT: (exp.GTE, ">", ">="), exp.GTE: (exp.GT, ">=", ">")}


def _columns_in(node: exp.Expression) -> str:
    """The column names an edited clause involves: part of its kind, so that an edit names
    a trap's pitfall only on the same columns (``<=`` on a signup date is not ``<=`` on
    the as_of cut)."""
    return ",".join(sorted({column.name for column in node.find_all(exp.Column)})) or "constants"


def _comparison(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    swap = _COMPARISONS.get(type(node))
    if swap:
        target, before, after = swap
        yield (f"comparison {before}->{after} on {_columns_in(node)}",
               target(this=node.this.copy(), expression=node.expression.copy()))


def _between(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    """``x BETWEEN a AND b`` over days: the half-open ``x >= a AND x < b + 1 day``."""
    if isinstance(node, exp.Between):
        upper = exp.Add(this=exp.cast(node.args["high"].copy(), "DATE"),
                        expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.var("DAY")))
        yield "BETWEEN->half-open", exp.and_(exp.GTE(this=node.this.copy(), expression=node.args["low"].copy()),
                                             exp.LT(this=node.this.copy(), expression=upper))


def _join_kind(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if not isinstance(node, exp.Join) or node.args.get("kind") == "CROSS":
        return
    if not node.args.get("on") and not node.args.get("using"):
        return
    copy = node.copy()
    if node.side == "LEFT":
        copy.set("side", None)
        yield "join LEFT->INNER", copy
    elif not node.side:
        copy.set("side", "LEFT")
        yield "join INNER->LEFT", copy


def _count(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if not isinstance(node, exp.Count) or isinstance(node.parent, exp.Window):
        return
    argument = node.this
    if isinstance(argument, exp.Distinct) and len(argument.expressions) == 1:
        inner = argument.expressions[0]
        if isinstance(inner, exp.Column) and inner.name in _COUNTED:
            for grain in _COUNTED:
                if grain != inner.name:
                    yield (f"grain {inner.name}->{grain}",
                           exp.Count(this=exp.Distinct(expressions=[exp.column(grain, table=inner.table or None)])))
        yield "count DISTINCT->plain", exp.Count(this=inner.copy())
    elif argument is None or isinstance(argument, exp.Star):
        for table in _tables_with(node, "account_id"):
            yield ("count *->DISTINCT account_id",
                   exp.Count(this=exp.Distinct(expressions=[exp.column("account_id", table=table)])))
    else:
        yield "count plain->DISTINCT", exp.Count(this=exp.Distinct(expressions=[argument.copy()]))
        yield "count column->*", exp.Count(this=exp.Star())


def _grain_column(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    """An id of another grain where rows are kept or grouped (``SELECT DISTINCT day,
    device_id``, ``GROUP BY profile_id``): the same mistake as counting it."""
    if not (isinstance(node, exp.Column) and node.name in GRAINS) or node.find_ancestor(exp.Count):
        return
    parent = node.parent
    if isinstance(parent, exp.Alias):
        parent = parent.parent
    if not isinstance(parent, exp.Select | exp.Group) or (isinstance(parent, exp.Select) and node.find_ancestor(
            exp.Where, exp.Join, exp.Having) is not None):
        return
    for grain in GRAINS:
        if grain != node.name:
            yield f"grain {node.name}->{grain}", exp.column(grain, table=node.table or None)


def _tables_with(node: exp.Expression, column: str) -> list[str | None]:
    """Aliases (or names) of the tables read by ``node``'s SELECT that have ``column``."""
    from sqldrills.world.schema import TABLES

    select = node.find_ancestor(exp.Select)
    if select is None:
        return []
    found: list[str | None] = []
    for table in select.find_all(exp.Table):
        if table.find_ancestor(exp.Select) is not select:
            continue
        columns = {c.name for c in TABLES.get(table.name.lower(), ())}
        if column in columns:
            found.append(table.alias_or_name)
    return found[:1] if len(found) == 1 else found[:2]


def _in_filter(node: exp.Expression) -> bool:
    parent = node.parent
    while isinstance(parent, exp.And | exp.Paren):
        parent = parent.parent
    return isinstance(parent, exp.Where | exp.Having | exp.Join | exp.Qualify)


def _drop_conjunct(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    """Each condition of a WHERE / ON / HAVING / QUALIFY, dropped (one too many filters)."""
    if isinstance(node, exp.And) or not _in_filter(node) or isinstance(node, exp.Paren):
        return
    if not isinstance(node.parent, exp.And | exp.Paren):
        return  # the only condition: dropping it is dropping the clause
    columns = sorted({c.name for c in node.find_all(exp.Column)})
    yield f"drop condition on {','.join(columns) or 'a constant'}", exp.true()


def _exclude_test_accounts(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    """Add the test-account filter to a SELECT that reads accounts or has an account_id."""
    if not isinstance(node, exp.Select) or node.find(exp.Column, bfs=True) is None:
        return
    if "is_test" in node.sql():
        return
    sources = [node.args.get("from_"), *(node.args.get("joins") or [])]
    tables = {t.name.lower(): t.alias_or_name for source in sources if source is not None
              for t in source.find_all(exp.Table) if t.find_ancestor(exp.Select) is node}
    if "accounts" in tables:
        condition: exp.Expression = exp.not_(exp.column("is_test", table=tables["accounts"]))
    else:
        holders = [alias for name, alias in tables.items() if name in ("events", "profiles", "devices",
                                                                       "subscriptions", "experiment_assignments")]
        if not holders:
            return
        condition = exp.column("account_id", table=holders[0]).isin(
            query=sqlglot.parse_one("SELECT account_id FROM accounts WHERE NOT is_test"))
    edited = node.copy().where(condition, copy=False)
    where = node.args.get("where")
    before = text(where) if where is not None else "(no WHERE)"
    yield "exclude test accounts", edited, (before, text(edited.args["where"]), where or node)


def _deduplicate_events(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    """Read ``events`` once per event_id: the first delivered copy. Where the query already
    keeps one copy per event_id (a window over event_id), the mistake is which copy it kept,
    not that it kept them all: the kind says so."""
    if isinstance(node, exp.Table) and node.name.lower() == "events" and not node.find_ancestor(exp.Subquery):
        first = sqlglot.parse_one("SELECT * FROM events QUALIFY row_number() OVER "
                                  "(PARTITION BY event_id ORDER BY received_ts_utc) = 1")
        select = node.find_ancestor(exp.Select)
        kept = select is not None and any(
            column.name == "event_id" for window in select.find_all(exp.Window)
            for column in (window.args.get("partition_by") or []) if isinstance(column, exp.Column))
        yield ("deduplicate events on the first copy" if kept else "deduplicate events"), exp.Subquery(
            this=first, alias=exp.TableAlias(this=exp.to_identifier(node.alias_or_name)))


def _confusable_column(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if not isinstance(node, exp.Column):
        return
    for pair in _CONFUSABLE:
        if node.name in pair:
            other = pair[1 - pair.index(node.name)]
            yield f"column {node.name}->{other}", exp.column(other, table=node.table or None)


def _home_tz(node: exp.Expression) -> list[exp.Expression]:
    """The member's zone as seen from ``node``: accounts.home_tz where accounts is read, else
    looked up for the account_id of a table that has one."""
    zones: list[exp.Expression] = [exp.column("home_tz", table=t) for t in _tables_with(node, "home_tz")]
    if not zones:
        for table in _tables_with(node, "account_id"):
            owner = exp.column("account_id", table=table)
            lookup = sqlglot.parse_one("SELECT home_tz FROM accounts AS home").where(
                exp.column("account_id", table="home").eq(owner), copy=False)
            zones.append(exp.Subquery(this=lookup))
    return zones


def _home_zone(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    """The member's zone (accounts.home_tz) for the device's (client_tz)."""
    if isinstance(node, exp.Column) and node.name == "client_tz":
        for zone in _home_tz(node):
            yield "zone client_tz->home_tz", zone


def _local_day(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    """A UTC day cut (``ts::DATE``) made in the member's home zone."""
    if not (isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.DATE):
        return
    column = node.this
    if not (isinstance(column, exp.Column) and column.name.endswith("_ts_utc")):
        return
    for zone in _home_tz(node):
        local = exp.Anonymous(this="timezone", expressions=[zone, exp.cast(column.copy(), "TIMESTAMPTZ")])
        yield "day cut UTC->home zone", exp.cast(local, "DATE")


def _literal(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    """An integer, or the count of an INTERVAL, one more or one less (off by one)."""
    if not isinstance(node, exp.Literal) or isinstance(node.parent, exp.Limit | exp.Group | exp.Ordered):
        return
    # The kind names the value and where it stands: 24 -> 23 hours in a day is one mistake,
    # an hour numbered from 1 another.
    if node.is_int and not isinstance(node.parent, exp.Interval):
        for delta in (1, -1):
            yield (f"literal {node.this}->{int(node.this) + delta} in {type(node.parent).__name__}",
                   exp.Literal.number(int(node.this) + delta))
    elif isinstance(node.parent, exp.Interval):
        count, *unit = node.this.split()
        unit_name = " ".join(unit) or (node.parent.unit.name if node.parent.unit else "")
        if count.lstrip("-").isdigit():
            for delta in (1, -1):
                changed = " ".join([str(int(count) + delta), *unit])
                replacement = exp.Literal.string(changed) if node.is_string else exp.Literal.number(changed)
                yield f"literal INTERVAL {count}->{int(count) + delta} {unit_name}".rstrip(), replacement


def _min_max(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if isinstance(node, exp.Min):
        yield "MIN->MAX", exp.Max(this=node.this.copy())
    elif isinstance(node, exp.Max):
        yield "MAX->MIN", exp.Min(this=node.this.copy())


def _average(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if isinstance(node, exp.Avg):
        argument = node.this.unnest() if isinstance(node.this, exp.Paren) else node.this
        if isinstance(argument, exp.Div):
            yield "average of ratios->ratio of sums", exp.Div(
                this=exp.Sum(this=argument.this.copy()), expression=exp.Sum(this=argument.expression.copy()))
        yield "AVG->MEDIAN", exp.Median(this=node.this.copy())
    elif isinstance(node, exp.Median):
        yield "MEDIAN->AVG", exp.Avg(this=node.this.copy())


def _coalesce(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if isinstance(node, exp.Coalesce):
        yield "drop COALESCE", node.this.copy()
    elif isinstance(node, exp.Sum | exp.Count) and not isinstance(node.parent, exp.Coalesce | exp.Window):
        yield "aggregate NULL->0", exp.Coalesce(this=node.copy(), expressions=[exp.Literal.number(0)])


def null_label(labels: tuple[str, ...]) -> Rewrite:
    """A projected column that can be NULL, labelled as the question labels its NULL group
    (``labels``: the strings the drill's reference gives COALESCE)."""

    def rewrite(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
        parent = node.parent.parent if isinstance(node.parent, exp.Alias) else node.parent
        if isinstance(node, exp.Column) and isinstance(parent, exp.Select) and node.find_ancestor(
                exp.Where, exp.Join, exp.Having, exp.Group) is None:
            for label in labels:
                labelled: exp.Expression = exp.Coalesce(this=node.copy(), expressions=[exp.Literal.string(label)])
                if not isinstance(node.parent, exp.Alias):  # keep the output column's name
                    labelled = exp.alias_(labelled, node.name)
                yield "NULL group labelled", labelled

    return rewrite


_WALL_CLOCK = (exp.CurrentDate, exp.CurrentTimestamp)


def _wall_clock(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if isinstance(node, _WALL_CLOCK) or (isinstance(node, exp.Anonymous) and node.name.lower() == "now"):
        as_of: exp.Expression = exp.Subquery(this=sqlglot.parse_one("SELECT as_of_ts_utc FROM dataset_info"))
        if isinstance(node, exp.CurrentDate):
            as_of = exp.cast(as_of, "DATE")
        yield "wall clock->as_of", as_of


def _not_in_nulls(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    """``x NOT IN (SELECT c ...)`` with the NULLs of c left out of the subquery."""
    if isinstance(node, exp.Not) and isinstance(node.this, exp.In) and node.this.args.get("query"):
        select = node.this.args["query"].unnest().copy()
        if isinstance(select, exp.Select) and len(select.selects) == 1:
            column = select.selects[0].unalias()
            select.where(exp.Not(this=exp.Is(this=column.copy(), expression=exp.null())), copy=False)
            yield "NOT IN over NULLs", exp.Not(this=exp.In(this=node.this.this.copy(), query=exp.Subquery(this=select)))


def _equals_null(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    """``x = NULL`` (never true) as the ``x IS NULL`` it meant; ``x <> NULL`` as ``IS NOT NULL``."""
    if isinstance(node, exp.EQ | exp.NEQ) and isinstance(node.expression, exp.Null):
        test: exp.Expression = exp.Is(this=node.this.copy(), expression=exp.null())
        yield ("= NULL->IS NULL", test) if isinstance(node, exp.EQ) else ("<> NULL->IS NOT NULL", exp.not_(test))


_RANKS = {"row_number": exp.RowNumber, "rank": exp.Anonymous, "dense_rank": exp.Anonymous}


def _rank(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if not isinstance(node, exp.Window):
        return
    function = node.this
    name = "row_number" if isinstance(function, exp.RowNumber) else (
        function.name.lower() if isinstance(function, exp.Anonymous) else None)
    if name not in _RANKS:
        return
    order = node.args.get("order")
    for other in _RANKS:
        if other != name:
            copy = node.copy()
            copy.set("this", exp.RowNumber() if other == "row_number" else exp.Anonymous(this=other))
            yield f"{name}->{other}", copy
            if name == "row_number" and order is not None and len(order.expressions) > 1:
                # A ROW_NUMBER made unique with a tie-breaker (``ORDER BY viewers DESC,
                # title_id``) still drops ties as a rank: the rank orders by the measure alone.
                ranked = copy.copy()
                ranked.args["order"].set("expressions", [order.expressions[0].copy()])
                yield f"{name}->{other}", ranked


def _frame(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if isinstance(node, exp.WindowSpec) and node.args.get("kind") in ("ROWS", "RANGE"):
        copy = node.copy()
        other = "RANGE" if node.args["kind"] == "ROWS" else "ROWS"
        copy.set("kind", other)
        yield f"frame {node.args['kind']}->{other}", copy


def _order_direction(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if isinstance(node, exp.Ordered):
        copy = node.copy()
        copy.set("desc", not node.args.get("desc"))
        yield f"order direction on {_columns_in(node)}", copy


def _drop_select_part(node: exp.Expression) -> Iterator[tuple[str, exp.Expression]]:
    if isinstance(node, exp.Select):
        for key in ("distinct", "having", "qualify"):
            if node.args.get(key):
                copy = node.copy()
                copy.set(key, None)
                yield f"drop {key.upper()}", copy


REWRITES: tuple[Rewrite, ...] = (
    _count, _grain_column, _comparison, _between, _join_kind, _drop_conjunct, _exclude_test_accounts,
    _deduplicate_events, _confusable_column, _home_zone, _local_day, _literal, _min_max, _average,
    _coalesce, _wall_clock, _not_in_nulls, _equals_null, _rank, _frame, _order_direction, _drop_select_part,
)
