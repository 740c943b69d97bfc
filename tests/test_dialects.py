"""An equivalent answer written in each supported dialect is judged correct; dialect
semantics (integer division) survive the transpilation."""

from __future__ import annotations

import pytest

from sqldrills.catalog.challenges import get
from sqldrills.grading.grade import grade
from sqldrills.grading.sqlcheck import DIALECTS

_WHERE = "e.event_type = 'play_start' AND NOT a.is_test"

MEMBERS_NOT_DEVICES = {
    "duckdb": get("members_not_devices").reference,
    "postgres": f"""
        SELECT CAST(e.event_ts_utc AS DATE) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events e JOIN accounts a ON a.account_id = e.account_id
        WHERE {_WHERE}
          AND e.event_ts_utc >= (SELECT CAST(as_of_ts_utc AS DATE) - INTERVAL '7 days' FROM dataset_info)
          AND e.event_ts_utc < (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
        GROUP BY 1""",
    "bigquery": f"""
        SELECT DATE(e.event_ts_utc) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events AS e JOIN accounts AS a USING (account_id)
        WHERE {_WHERE}
          AND DATE(e.event_ts_utc) >= (SELECT DATE_SUB(DATE(as_of_ts_utc), INTERVAL 7 DAY) FROM dataset_info)
          AND DATE(e.event_ts_utc) < (SELECT DATE(as_of_ts_utc) FROM dataset_info)
        GROUP BY day""",
    "snowflake": f"""
        SELECT TO_DATE(e.event_ts_utc) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events e JOIN accounts a ON a.account_id = e.account_id
        WHERE {_WHERE}
          AND TO_DATE(e.event_ts_utc) >= (SELECT DATEADD(day, -7, TO_DATE(as_of_ts_utc)) FROM dataset_info)
          AND TO_DATE(e.event_ts_utc) < (SELECT TO_DATE(as_of_ts_utc) FROM dataset_info)
        GROUP BY 1""",
    "spark": f"""
        SELECT to_date(e.event_ts_utc) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events e JOIN accounts a ON a.account_id = e.account_id
        WHERE {_WHERE}
          AND to_date(e.event_ts_utc) >= (SELECT date_sub(to_date(as_of_ts_utc), 7) FROM dataset_info)
          AND to_date(e.event_ts_utc) < (SELECT to_date(as_of_ts_utc) FROM dataset_info)
        GROUP BY to_date(e.event_ts_utc)""",
    "trino": f"""
        SELECT CAST(e.event_ts_utc AS DATE) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events e JOIN accounts a ON a.account_id = e.account_id
        WHERE {_WHERE}
          AND CAST(e.event_ts_utc AS DATE) >= (SELECT date_add('day', -7, CAST(as_of_ts_utc AS DATE)) FROM dataset_info)
          AND CAST(e.event_ts_utc AS DATE) < (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
        GROUP BY 1""",
    "mysql": f"""
        SELECT DATE(e.event_ts_utc) AS day, COUNT(DISTINCT e.account_id) AS viewers
        FROM events e JOIN accounts a ON a.account_id = e.account_id
        WHERE {_WHERE}
          AND DATE(e.event_ts_utc) >= (SELECT DATE_SUB(DATE(as_of_ts_utc), INTERVAL 7 DAY) FROM dataset_info)
          AND DATE(e.event_ts_utc) < (SELECT DATE(as_of_ts_utc) FROM dataset_info)
        GROUP BY 1""",
}


def test_every_dialect_has_an_answer() -> None:
    assert set(MEMBERS_NOT_DEVICES) == set(DIALECTS)


@pytest.mark.parametrize("dialect", sorted(MEMBERS_NOT_DEVICES))
def test_equivalent_answer_in_each_dialect_is_correct(dialect: str) -> None:
    result = grade(get("members_not_devices"), MEMBERS_NOT_DEVICES[dialect], dialect=dialect)
    assert result.verdict == "correct", result.message


_POSTGRES_RETENTION = """
WITH members AS (
  SELECT account_id, signup_ts_utc, CAST(date_trunc('week', signup_ts_utc) AS DATE) AS cohort_week
  FROM accounts WHERE NOT is_test),
retained AS (
  SELECT DISTINCT m.account_id FROM members m JOIN events e ON e.account_id = m.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= m.signup_ts_utc + INTERVAL '28 days'
    AND e.event_ts_utc < m.signup_ts_utc + INTERVAL '35 days')
SELECT m.cohort_week, COUNT(*) AS cohort_size, COUNT(r.account_id) AS retained,
       {rate} AS retention_rate
FROM members m LEFT JOIN retained r ON r.account_id = m.account_id
WHERE m.cohort_week + INTERVAL '42 days' <= (SELECT as_of_ts_utc FROM dataset_info)
GROUP BY m.cohort_week ORDER BY m.cohort_week
"""


def test_postgres_integer_division_stays_integer_division() -> None:
    challenge = get("cohort_leakage")
    integer = grade(challenge, _POSTGRES_RETENTION.format(rate="COUNT(r.account_id) / COUNT(*)"),
                    dialect="postgres")
    assert integer.verdict == "misleading"
    real = grade(challenge, _POSTGRES_RETENTION.format(
        rate="COUNT(r.account_id)::float / COUNT(*)"), dialect="postgres")
    assert real.verdict == "correct", real.message


def test_untranspilable_answer_is_an_error_naming_the_problem() -> None:
    result = grade(get("members_not_devices"), "SELECT FROM WHERE (", dialect="postgres")
    assert result.verdict == "error"
    assert result.message
