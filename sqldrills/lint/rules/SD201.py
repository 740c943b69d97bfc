from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from sqldrills.lint.analysis import Query, snippet
from sqldrills.lint.base import Hit, LintContext

_DATE_LITERAL = re.compile(r"\d{4}-\d{2}-\d{2}")


def between_timestamp_dates(query: Query, context: LintContext) -> Iterator[Hit]:
    """A timestamp bounded above by a date: BETWEEN ... AND '2024-03-31', or <= a date.

    The date means midnight at the *start* of that day, so everything later on the
    last day is dropped. Bound timestamps with a half-open range instead.

    **Anti-pattern**::

        SELECT COUNT(*) AS members FROM accounts
        WHERE signup_ts_utc BETWEEN '2024-03-01' AND '2024-03-31'

    **Best practice**::

        SELECT COUNT(*) AS members FROM accounts
        WHERE signup_ts_utc >= '2024-03-01' AND signup_ts_utc < '2024-04-01'
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
                f"{snippet(node)} stops at 00:00 of the last day and misses the rest of it: "
                "use ts >= start AND ts < the day after the end"
            )
            yield node, message


def _is_date(query: Query, node: exp.Expression, literal_only: bool) -> bool:
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
