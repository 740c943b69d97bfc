-- name: Divided by devices instead of accounts
-- explanation: Plays per device re-weights households: an account with six screens counts six times in the denominator. Multi-device households are not spread evenly over the arms, so the per-device numbers move with the device count, not with the treatment, and cannot be compared to the per-account question that was randomised.
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
owned AS (
  SELECT x.account_id, x.variant, x.primary_device_type, count(*) AS n_devices
  FROM analysed x JOIN devices d ON d.account_id = x.account_id
  GROUP BY ALL
),
played AS (SELECT account_id, count(*) AS n_plays FROM plays GROUP BY account_id),
flat AS (
  SELECT o.primary_device_type, o.variant, o.n_devices, coalesce(p.n_plays, 0) AS n_plays
  FROM owned o LEFT JOIN played p USING (account_id)
)
SELECT coalesce(primary_device_type, 'all') AS primary_device_type, variant,
       sum(n_devices) AS accounts, sum(n_plays) AS plays,
       sum(n_plays) / sum(n_devices) AS plays_per_account
FROM flat
GROUP BY GROUPING SETS ((primary_device_type, variant), (variant))
