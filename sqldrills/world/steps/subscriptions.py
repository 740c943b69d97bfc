"""Subscriptions: up to three periods per account, each a lifetime after a gap."""

from __future__ import annotations

from sqldrills.world.steps.context import IDS_PER_ACCOUNT, Build
from sqldrills.world.steps.sql import lookup, pick


def subscriptions(b: Build) -> None:
    """Reads temp.acct, temp.effects; writes temp.subs and subscriptions."""
    s = b.r["subscriptions"]
    life, gap = s["mean_lifetime_days"], s["mean_gap_days"]
    plans = b.r["accounts"]["plans"]
    b.sql(f"""
    CREATE TEMP TABLE subs AS
    WITH p1 AS (
      SELECT a.account_id, a.signup_ts_utc AS start_1,
        least(a.signup_ts_utc + secs(floor(-ln(1 - u('life', a.account_id, 1))
                * {life} * 86400)),
              CASE WHEN e.extra_churn THEN a.signup_ts_utc + INTERVAL 21 DAY
                + secs(floor(u('extra_churn_at', a.account_id) * 7 * 86400)) END) AS end_1
      FROM acct a JOIN effects e USING (account_id)
    ), p2 AS (
      SELECT *, CASE WHEN u('react', account_id, 2) < {s['reactivation_rate']}
          THEN end_1 + secs(floor(86400 * (1 + -ln(1 - u('gap', account_id, 2)) * {gap})))
          END AS start_2 FROM p1
    ), p3 AS (
      SELECT *, start_2 + secs(floor(-ln(1 - u('life', account_id, 2)) * {life} * 86400))
          AS end_2 FROM p2
    ), p4 AS (
      SELECT *, CASE WHEN u('react', account_id, 3) < {s['reactivation_rate']}
          THEN end_2 + secs(floor(86400 * (1 + -ln(1 - u('gap', account_id, 3)) * {gap})))
          END AS start_3 FROM p3
    ), p5 AS (
      SELECT *, start_3 + secs(floor(-ln(1 - u('life', account_id, 3)) * {life} * 86400))
          AS end_3 FROM p4
    ), long AS (
      SELECT account_id, 1 AS sub_no, start_1 AS start_ts, end_1 AS end_ts FROM p5
      UNION ALL SELECT account_id, 2, start_2, end_2 FROM p5
      UNION ALL SELECT account_id, 3, start_3, end_3 FROM p5
    )
    SELECT account_id, sub_no, start_ts,
      CASE WHEN end_ts < {b.as_of} THEN end_ts END AS end_ts,
      {pick("u('plan', account_id, sub_no)", plans)} AS plan
    FROM long WHERE start_ts IS NOT NULL AND start_ts < {b.as_of}
    """)
    prices = s["prices"]
    b.sql(f"""
    INSERT INTO subscriptions
    SELECT account_id * {IDS_PER_ACCOUNT} + sub_no, account_id, plan,
      {lookup('plan', prices, 9.99)}::DECIMAL(6,2),
      start_ts, end_ts,
      CASE WHEN end_ts IS NULL THEN NULL
           WHEN u('end_reason', account_id, sub_no) < {s['payment_failed_share']}
           THEN 'payment_failed' ELSE 'voluntary' END
    FROM subs
    """)
