from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from sqldrills.lint.analysis import Query, snippet
from sqldrills.lint.base import Hit, LintContext

_WALL_CLOCK_NODES = (
    exp.CurrentDate, exp.CurrentTime, exp.CurrentTimestamp, exp.CurrentDatetime,
    exp.CurrentTimestampLTZ, exp.Localtime, exp.Localtimestamp,
)  # fmt: skip
_WALL_CLOCK_FUNCTIONS = {
    "now", "get_current_timestamp", "get_current_time", "transaction_timestamp",
    "statement_timestamp", "current_localtimestamp", "current_localtime", "today",
}  # fmt: skip


def wall_clock(query: Query, context: LintContext) -> Iterator[Hit]:
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
                f"{snippet(node)} reads this machine's clock, not the world's: "
                "use (SELECT as_of_ts_utc FROM dataset_info)"
            )
            yield node, message
