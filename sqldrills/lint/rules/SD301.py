from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from sqldrills.lint.analysis import Query
from sqldrills.lint.base import Hit, LintContext


def not_in_nullable(query: Query, context: LintContext) -> Iterator[Hit]:
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
