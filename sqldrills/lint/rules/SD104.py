from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from sqldrills.lint.analysis import Query, snippet
from sqldrills.lint.base import Hit, LintContext


def division_to_integer(query: Query, context: LintContext) -> Iterator[Hit]:
    """A ratio of aggregates truncated with ``//``, or a division cast to an integer.

    DuckDB's ``/`` already returns a DOUBLE, so ``COUNT(x) / COUNT(*)`` is fine; but
    ``COUNT(x) // COUNT(*)`` is 0 or 1, and ``CAST(a / b AS INTEGER)`` *rounds*
    (``CAST(7 / 2 AS INTEGER)`` is 4), which puts day 4 of a week into the next week.

    **Anti-pattern**::

        SELECT CAST(date_diff('day', a.signup_ts_utc, s.started_ts_utc) / 7 AS INTEGER) AS week,
               COUNT(DISTINCT s.account_id) AS members
        FROM accounts a JOIN subscriptions s USING (account_id)
        GROUP BY week

    **Best practice**::

        SELECT date_diff('day', a.signup_ts_utc, s.started_ts_utc) // 7 AS week,
               COUNT(DISTINCT s.account_id) AS members
        FROM accounts a JOIN subscriptions s USING (account_id)
        GROUP BY week
    """
    for node in query.tree.find_all(exp.IntDiv, exp.Cast):
        if isinstance(node, exp.IntDiv):
            if node.this.find(exp.AggFunc) and node.expression.find(exp.AggFunc):
                message = (
                    f"{snippet(node)} truncates a ratio of aggregates to an integer: "
                    "use / (DuckDB divides as DOUBLE)"
                )
                yield node, message
        elif node.to.this in exp.DataType.INTEGER_TYPES and isinstance(node.this.unnest(), exp.Div):
            message = (
                f"{snippet(node)} rounds to the nearest integer (7 / 2 -> 4): "
                "use a // b or floor(a / b) for buckets, round() if rounding is meant"
            )
            yield node, message
