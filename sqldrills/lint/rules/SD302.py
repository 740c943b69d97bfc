from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from sqldrills.lint.analysis import Query, conjuncts, rejects_null, snippet
from sqldrills.lint.base import Hit, LintContext


def left_join_filtered_in_where(query: Query, context: LintContext) -> Iterator[Hit]:
    """A WHERE condition on the right-hand table of a LEFT JOIN (other than IS NULL).

    Unmatched rows carry NULLs there, the condition is not TRUE for them, so they
    are dropped: the LEFT JOIN has become an INNER JOIN and members who never played
    disappear from the denominator. Put the condition in the ON clause.

    **Anti-pattern**::

        SELECT a.account_id, COUNT(e.event_id) AS plays
        FROM accounts a
        LEFT JOIN (SELECT DISTINCT ON (event_id) * FROM events) e ON e.account_id = a.account_id
        WHERE NOT a.is_test
          AND e.event_type = 'play_start'
        GROUP BY a.account_id

    **Best practice**::

        SELECT a.account_id, COUNT(e.event_id) AS plays
        FROM accounts a
        LEFT JOIN (SELECT DISTINCT ON (event_id) * FROM events) e
          ON e.account_id = a.account_id AND e.event_type = 'play_start'
        WHERE NOT a.is_test
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
            for condition in conjuncts(select.args["where"].this):
                if rejects_null(condition, lambda c, alias=alias: c.table == alias):
                    message = (
                        f"WHERE {snippet(condition)} drops the rows the LEFT JOIN kept for "
                        f"unmatched {alias} (it acts as an INNER JOIN): move it into ON"
                    )
                    yield condition, message
