"""Every drill of the catalog proves its claims on the worlds (one parametrized test per
drill), and answers that differ from its reference only in form are correct."""

from __future__ import annotations

import pytest

from sqldrills.catalog.challenges import get, load_all
from sqldrills.catalog.validate import validate_challenge
from sqldrills.grading.grade import grade

DRILLS = [c.id for c in load_all()]


@pytest.mark.parametrize("drill", DRILLS)
def test_drill_claims_hold(drill: str) -> None:
    report = validate_challenge(get(drill), fresh=True)
    assert report.problems == []
    assert report.checks >= 2 + 2 * len(get(drill).traps)


EQUIVALENT_REWRITES = {
    "members_not_devices": [
        # upper case names, columns swapped, ORDER BY on an unordered drill, subquery
        """SELECT COUNT(DISTINCT E.ACCOUNT_ID) AS VIEWERS, CAST(E.EVENT_TS_UTC AS DATE) AS DAY
           FROM EVENTS E
           WHERE E.EVENT_TYPE = 'play_start'
             AND E.ACCOUNT_ID IN (SELECT ACCOUNT_ID FROM ACCOUNTS WHERE NOT IS_TEST)
             AND E.EVENT_TS_UTC >= (SELECT CAST(AS_OF_TS_UTC AS DATE) - INTERVAL 7 DAY FROM DATASET_INFO)
             AND E.EVENT_TS_UTC < (SELECT CAST(AS_OF_TS_UTC AS DATE) FROM DATASET_INFO)
           GROUP BY 2 ORDER BY 2 DESC""",
    ],
    "duplicate_events": [
        """SELECT coalesce(genre, 'unknown') AS genre, sum(watch_seconds) / 3600.0 AS watch_hours
           FROM (SELECT event_id, any_value(title_id) AS title_id, any_value(account_id) AS account_id,
                        any_value(watch_seconds) AS watch_seconds, any_value(event_ts_utc) AS ts
                 FROM events WHERE event_type IN ('heartbeat', 'play_stop') GROUP BY event_id) w
           JOIN titles USING (title_id) JOIN accounts USING (account_id)
           WHERE NOT is_test
             AND ts >= (SELECT as_of_ts_utc::DATE - 7 FROM dataset_info)
             AND ts < (SELECT as_of_ts_utc::DATE FROM dataset_info)
           GROUP BY ALL""",
    ],
    "cohort_leakage": [],
}


@pytest.mark.parametrize(("drill", "sql"), [(d, s) for d, ss in EQUIVALENT_REWRITES.items()
                                            for s in ss])
def test_equivalent_rewrites_are_correct(drill: str, sql: str) -> None:
    result = grade(get(drill), sql)
    assert result.verdict == "correct", result.message
