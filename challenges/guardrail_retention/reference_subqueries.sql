-- Per-account scalar subqueries, then plain aggregates.
WITH clean AS (
  SELECT ea.account_id, ea.variant, ea.assigned_ts_utc AS t0
  FROM experiment_assignments ea
  JOIN accounts a ON a.account_id = ea.account_id AND a.is_test = false
  WHERE ea.experiment_id = 'autoplay_previews'
    AND ea.assigned_ts_utc + INTERVAL '35 days' <= (SELECT as_of_ts_utc FROM dataset_info)
    AND NOT EXISTS (SELECT 1 FROM experiment_assignments o
                    WHERE o.experiment_id = ea.experiment_id AND o.account_id = ea.account_id
                      AND o.variant <> ea.variant)
),
dedup AS (
  SELECT * FROM events
  QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_ts_utc) = 1
),
per_account AS (
  SELECT c.variant,
         coalesce((SELECT sum(d.watch_seconds) FROM dedup d
                   WHERE d.account_id = c.account_id
                     AND d.event_ts_utc >= c.t0 AND d.event_ts_utc < c.t0 + INTERVAL '21 days'), 0)
           AS seconds,
         CASE WHEN EXISTS (SELECT 1 FROM dedup d
                           WHERE d.account_id = c.account_id AND d.event_type = 'play_start'
                             AND d.event_ts_utc >= c.t0 + INTERVAL '28 days'
                             AND d.event_ts_utc < c.t0 + INTERVAL '35 days')
              THEN 1 ELSE 0 END AS is_retained
  FROM clean c
)
SELECT variant, count(*) AS accounts, sum(seconds) / 3600 / count(*) AS watch_hours_per_account,
       sum(is_retained) AS retained, avg(is_retained) AS week4_retention
FROM per_account GROUP BY variant
