"""Subscriptions: up to three periods per account, each a lifetime after a gap."""

from __future__ import annotations

from sqldrills.world.steps.context import IDS_PER_ACCOUNT, Build
from sqldrills.world.steps.sql import lookup, pick


def subscriptions(b: Build) -> None:
    """Reads temp.acct, temp.effects; writes temp.subs and subscriptions."""
    s = b.r["subscriptions"]
    life, gap = s["mean_lifetime_days"], s["mean_gap_days"]
    plans = b.r["accounts"]["plans"]
    bnd = b.r["boundaries"]

    def gap_sql(sub_no: int) -> str:
        """The gap before subscription ``sub_no``: none for an instant reactivation (its
        start is exactly the previous end, bait for `<` against `<=`), else a day or more."""
        return (f"CASE WHEN u('instant_react', account_id, {sub_no}) < {s['instant_reactivation_share']}"
                f" THEN INTERVAL 0 SECOND ELSE secs(floor(86400 * (1 + -ln(1 - u('gap', account_id, {sub_no}))"
                f" * {gap}))) END")

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
          THEN end_1 + {gap_sql(2)} END AS start_2 FROM p1
    ), p3 AS (
      SELECT *, start_2 + secs(floor(-ln(1 - u('life', account_id, 2)) * {life} * 86400))
          AS end_2 FROM p2
    ), p4 AS (
      SELECT *, CASE WHEN u('react', account_id, 3) < {s['reactivation_rate']}
          THEN end_2 + {gap_sql(3)} END AS start_3 FROM p3
    ), p5 AS (
      SELECT *, start_3 + secs(floor(-ln(1 - u('life', account_id, 3)) * {life} * 86400))
          AS end_3 FROM p4
    ), long AS (
      SELECT account_id, 1 AS sub_no, start_1 AS start_ts, end_1 AS end_ts,
        NULL::TIMESTAMP AS prev_end FROM p5
      UNION ALL SELECT account_id, 2, start_2, end_2, end_1 FROM p5
      UNION ALL SELECT account_id, 3, start_3, end_3, end_2 FROM p5
    ), at_as_of AS (
      -- as_of bait: some reactivations due later start exactly at as_of
      SELECT account_id, sub_no, end_ts,
        CASE WHEN start_ts >= {b.as_of} AND prev_end < {b.as_of}
               AND u('starts_at_as_of', account_id, sub_no) < {bnd['as_of_starts_share']}
             THEN {b.as_of} ELSE start_ts END AS start_ts
      FROM long
    )
    SELECT account_id, sub_no, start_ts,
      -- an end is known once it is past; as_of bait: a few running ones end exactly at it
      CASE WHEN end_ts < {b.as_of} THEN end_ts
           WHEN start_ts < {b.as_of} AND u('ends_at_as_of', account_id, sub_no) < {bnd['as_of_ends_share']}
           THEN {b.as_of} END AS end_ts,
      {pick("u('plan', account_id, sub_no)", plans)} AS plan
    FROM at_as_of WHERE start_ts IS NOT NULL AND start_ts <= {b.as_of}
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
