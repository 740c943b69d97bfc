from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from sqldrills.lint.analysis import Query, conjuncts, snippet
from sqldrills.lint.base import Hit, LintContext

_MULTIPLICITY_SENSITIVE = (exp.Count, exp.Sum, exp.Avg, exp.Median)


def events_not_deduplicated(query: Query, context: LintContext) -> Iterator[Hit]:
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
        FROM (SELECT DISTINCT ON (event_id) * FROM events ORDER BY event_id, received_ts_utc)
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
                f"{snippet(aggregates[0])} runs over events that repeat re-delivered event_ids: "
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
        for c in conjuncts(where and where.this)
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


def _column_names(expressions: list[exp.Expression]) -> set[str]:
    return {e.unalias().name for e in expressions if isinstance(e.unalias(), exp.Column)}
