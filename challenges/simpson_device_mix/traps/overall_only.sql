-- name: Reported only the overall comparison
-- explanation: The arms have very different device mixes (treatment was over-assigned to mobile-first accounts, who watch least), so the overall line compares populations, not experiences. Without the per-segment rows nobody sees that treatment does better within device types, and a feature that helps every kind of member gets killed on an artefact of the assignment.
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
)
SELECT 'all' AS primary_device_type, x.variant, count(DISTINCT x.account_id) AS accounts,
       count(p.event_id) AS plays, count(p.event_id) / count(DISTINCT x.account_id) AS plays_per_account
FROM analysed x LEFT JOIN plays p USING (account_id)
GROUP BY x.variant
