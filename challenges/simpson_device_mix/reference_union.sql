-- Per-account rows with QUALIFY for the first device, then segments UNION ALL the total.
WITH clean AS (
  SELECT ea.account_id, ea.variant, ea.assigned_ts_utc
  FROM experiment_assignments ea
  JOIN accounts a ON a.account_id = ea.account_id AND a.is_test = false
  WHERE ea.experiment_id = 'home_row_v2'
    AND NOT EXISTS (SELECT 1 FROM experiment_assignments o
                    WHERE o.experiment_id = 'home_row_v2' AND o.account_id = ea.account_id
                      AND o.variant <> ea.variant)
),
first_device AS (
  SELECT account_id, device_type AS primary_device_type
  FROM devices
  QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY first_seen_ts_utc, device_id) = 1
),
per_account AS (
  SELECT c.account_id, c.variant, f.primary_device_type,
         (SELECT count(DISTINCT e.event_id) FROM events e
          WHERE e.account_id = c.account_id AND e.event_type = 'play_start'
            AND e.event_ts_utc >= c.assigned_ts_utc
            AND e.event_ts_utc < c.assigned_ts_utc + INTERVAL '14 days') AS n_plays
  FROM clean c JOIN first_device f USING (account_id)
)
SELECT primary_device_type, variant, count(*) AS accounts, sum(n_plays) AS plays,
       sum(n_plays) / count(*) AS plays_per_account
FROM per_account GROUP BY primary_device_type, variant
UNION ALL
SELECT 'all', variant, count(*), sum(n_plays), sum(n_plays) / count(*)
FROM per_account GROUP BY variant
