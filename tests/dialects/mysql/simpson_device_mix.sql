-- MariaDB has no GROUPING SETS (a UNION ALL of the two groupings) and no arg_min().
WITH per_account AS (
  SELECT account_id, count(DISTINCT variant) AS n_variants,
         min(variant) AS variant, min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments
  WHERE experiment_id = 'home_row_v2'
  GROUP BY account_id
),
primary_device AS (
  SELECT account_id, device_type AS primary_device_type
  FROM (SELECT account_id, device_type,
               row_number() OVER (PARTITION BY account_id ORDER BY first_seen_ts_utc) AS n
        FROM devices) AS ranked
  WHERE n = 1
),
analysed AS (
  SELECT p.account_id, p.variant, p.assigned_ts, d.primary_device_type
  FROM per_account p
  JOIN accounts a USING (account_id)
  JOIN primary_device d USING (account_id)
  WHERE p.n_variants = 1 AND NOT a.is_test
),
plays AS (
  SELECT x.account_id, count(DISTINCT e.event_id) AS n_plays
  FROM analysed x
  JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts
    AND e.event_ts_utc < x.assigned_ts + INTERVAL 14 DAY
  GROUP BY x.account_id
),
flat AS (
  SELECT x.primary_device_type, x.variant, coalesce(p.n_plays, 0) AS n_plays
  FROM analysed x LEFT JOIN plays p USING (account_id)
)
SELECT primary_device_type, variant, count(*) AS accounts, sum(n_plays) AS plays,
       sum(n_plays) / count(*) AS plays_per_account
FROM flat
GROUP BY primary_device_type, variant
UNION ALL
SELECT 'all', variant, count(*), sum(n_plays), sum(n_plays) / count(*)
FROM flat
GROUP BY variant
