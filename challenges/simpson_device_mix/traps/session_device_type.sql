-- name: Segmented by the device of each play, not the account's primary device
-- explanation: Grouping plays by the device they happened on splits one member across several segments, each with part of their plays, and keeps in each segment only the accounts that played there. The treatment can also move viewing from one screen to another, so the segments are no longer comparable groups of members and the within-segment comparison no longer resolves the mix problem.
WITH per_account AS (
  SELECT account_id, count(DISTINCT variant) AS n_variants,
         min(variant) AS variant, min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments WHERE experiment_id = 'home_row_v2'
  GROUP BY account_id
),
primary_device AS (
  SELECT account_id, arg_min(device_type, first_seen_ts_utc) AS primary_device_type
  FROM devices GROUP BY account_id
),
analysed AS (
  SELECT p.account_id, p.variant, p.assigned_ts, d.primary_device_type
  FROM per_account p JOIN accounts a USING (account_id) JOIN primary_device d USING (account_id)
  WHERE p.n_variants = 1 AND NOT a.is_test
),
plays AS (
  SELECT DISTINCT x.account_id, x.variant, x.primary_device_type, e.event_id, e.device_id
  FROM analysed x JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts AND e.event_ts_utc < x.assigned_ts + INTERVAL 14 DAY
),
by_session AS (
  SELECT d.device_type AS primary_device_type, p.variant,
         count(DISTINCT p.account_id) AS accounts, count(*) AS plays
  FROM plays p JOIN devices d ON d.device_id = p.device_id
  GROUP BY d.device_type, p.variant
),
overall AS (
  SELECT 'all' AS primary_device_type, x.variant, count(DISTINCT x.account_id) AS accounts,
         count(p.event_id) AS plays
  FROM analysed x LEFT JOIN plays p USING (account_id) GROUP BY x.variant
)
SELECT primary_device_type, variant, accounts, plays, plays / accounts AS plays_per_account
FROM (SELECT * FROM by_session UNION ALL SELECT * FROM overall)
