"""The lint rules: one module per rule, named like its fixture (``tests/lint_fixtures/SD101.toml``).

SD1xx count and group (grain, duplicates, ratios), SD2xx handle time, SD3xx NULLs and joins.
A rule's function docstring is its documentation (``docs/lint.md``). Adding a rule is a
module here, a fixture file and a line in ``ALL``, the one list ``lint()`` runs.
"""

from sqldrills.lint.base import Rule
from sqldrills.lint.rules import SD101, SD102, SD103, SD104, SD201, SD202, SD203, SD301, SD302

ALL: tuple[Rule, ...] = (
    Rule("SD101", "distinct-finer-grain", SD101.distinct_finer_grain),
    Rule("SD102", "events-not-deduplicated", SD102.events_not_deduplicated),
    Rule("SD103", "average-of-ratios", SD103.average_of_ratios),
    Rule("SD104", "division-to-integer", SD104.division_to_integer),
    Rule("SD201", "between-timestamp-dates", SD201.between_timestamp_dates),
    Rule("SD202", "utc-date-cut", SD202.utc_date_cut),
    Rule("SD203", "wall-clock", SD203.wall_clock),
    Rule("SD301", "not-in-nullable", SD301.not_in_nullable),
    Rule("SD302", "left-join-filtered-in-where", SD302.left_join_filtered_in_where),
)
