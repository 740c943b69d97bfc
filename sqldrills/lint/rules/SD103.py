from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.helper import seq_get

from sqldrills.lint.analysis import Query, snippet
from sqldrills.lint.base import Hit, LintContext


def average_of_ratios(query: Query, context: LintContext) -> Iterator[Hit]:
    """AVG of a per-row or per-group ratio where the question asks for a ratio of sums.

    The mean of per-play (or per-member) rates weighs a 20-minute episode like a 3-hour
    film, and a member with 3 events like one with 3,000; an overall rate is
    SUM(numerator) / SUM(denominator).
    Applies when the challenge asks for a ratio of sums; silent for AVG of a 0/1 flag
    and for division by a constant.

    **Anti-pattern** (the overall completion rate)::

        SELECT AVG(e.watch_seconds::DOUBLE / (t.runtime_min * 60)) AS completion_rate
        FROM (SELECT DISTINCT ON (event_id) * FROM events) e
        JOIN titles t USING (title_id)
        WHERE e.event_type = 'play_stop'

    **Best practice**::

        SELECT SUM(e.watch_seconds) / SUM(t.runtime_min * 60) AS completion_rate
        FROM (SELECT DISTINCT ON (event_id) * FROM events) e
        JOIN titles t USING (title_id)
        WHERE e.event_type = 'play_stop'
    """
    if not context.ratio_of_sums:
        return
    for node in query.tree.find_all(exp.Avg, exp.Anonymous):
        if isinstance(node, exp.Anonymous) and node.name.lower() != "mean":
            continue
        argument = node.this if isinstance(node, exp.Avg) else seq_get(node.expressions, 0)
        if argument is not None and _is_ratio(query, argument):
            message = (
                f"{snippet(node)} averages ratios, so small and large rows weigh the same: "
                "the question asks for SUM(numerator) / SUM(denominator)"
            )
            yield node, message


def _is_ratio(query: Query, node: exp.Expression, depth: int = 0) -> bool:
    node = _strip(node, exp.Cast, exp.Round)
    if isinstance(node, (exp.Div, exp.SafeDivide)):
        return node.expression.find(exp.Column, exp.AggFunc) is not None  # not a unit change
    if isinstance(node, exp.Mul):
        return _is_ratio(query, node.this, depth) or _is_ratio(query, node.expression, depth)
    if isinstance(node, exp.Column) and depth < 8:
        definition = query.definition(node)
        return definition is not None and _is_ratio(query, definition, depth + 1)
    return False


def _strip(node: exp.Expression, *wrappers: type[exp.Expression]) -> exp.Expression:
    node = node.unnest()
    while isinstance(node, wrappers):
        node = node.this.unnest()
    return node
