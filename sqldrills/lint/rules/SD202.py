from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.helper import seq_get

from sqldrills.lint.analysis import Query, is_tz_conversion, snippet
from sqldrills.lint.base import Hit, LintContext

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


def utc_date_cut(query: Query, context: LintContext) -> Iterator[Hit]:
    """Days or hours cut from a ``*_ts_utc`` column when the question asks for local time.

    ``CAST(event_ts_utc AS DATE)`` is the UTC day: an evening in Los Angeles lands on
    tomorrow, a morning in Sydney on yesterday. Convert to the member's zone first.
    Applies when the challenge asks for member-local days or hours; silent for columns
    the query converts with timezone() / AT TIME ZONE. In DuckDB the UTC timestamp must be
    a TIMESTAMPTZ for ``timezone(zone, ts)`` to mean "UTC to local" (on a naive TIMESTAMP it
    converts the other way).

    **Anti-pattern** (member-local days)::

        SELECT CAST(event_ts_utc AS DATE) AS day, COUNT(DISTINCT account_id) AS members
        FROM (SELECT DISTINCT ON (event_id) * FROM events)
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
        if is_tz_conversion(node)
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
                    f"{snippet(node)} cuts {column.name} at UTC midnight/hours, but the question "
                    "asks for local time: convert first, e.g. timezone(a.home_tz, ts::TIMESTAMPTZ)"
                )
                yield node, message


def _column_key(query: Query, column: exp.Column) -> tuple[str, ...]:
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
