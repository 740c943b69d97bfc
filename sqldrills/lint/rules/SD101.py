from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from sqldrills.lint.analysis import Query, snippet
from sqldrills.lint.base import GRAINS, Hit, LintContext

_UNIT_OF_ID = {f"{unit}_id": unit for unit in GRAINS}
_FINER_UNITS = {
    "account": {"profile", "device", "session"},
    "profile": {"session"},
    "device": {"session"},
    "session": set(),
}


def distinct_finer_grain(query: Query, context: LintContext) -> Iterator[Hit]:
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
                    f"{snippet(count)} counts {unit}s, but the question counts "
                    f"{context.grain}s: count DISTINCT {context.grain}_id"
                )
                yield count, message


def _per_entity(query: Query, scope: Scope, count: exp.Count) -> bool:
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
