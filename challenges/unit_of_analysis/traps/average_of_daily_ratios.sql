-- name: Averaged daily plays-per-active-account ratios
-- explanation: A daily dashboard ratio (plays / accounts that played that day) drops every member who did not play, and averaging the days weighs a day with three players like a day with three hundred. It measures how intensely the day's players played, not what an assigned member did, and can favour the arm that lost members.
WITH per_account AS (
  SELECT experiment_id, account_id, count(DISTINCT variant) AS n_variants,
         min(variant) AS variant, min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments GROUP BY experiment_id, account_id
),
analysed AS (
  SELECT p.* FROM per_account p JOIN accounts a USING (account_id)
  WHERE p.n_variants = 1 AND NOT a.is_test
    AND p.assigned_ts + INTERVAL 14 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
),
plays AS (
  SELECT DISTINCT x.experiment_id, x.variant, x.account_id, e.event_id, e.device_id, e.session_id,
         CAST(e.event_ts_utc AS DATE) AS day
  FROM analysed x JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts AND e.event_ts_utc < x.assigned_ts + INTERVAL 14 DAY
),
daily AS (
  SELECT experiment_id, variant, day, count(*) / count(DISTINCT account_id) AS ratio
  FROM plays GROUP BY experiment_id, variant, day
)
SELECT x.experiment_id, x.variant,
       count(DISTINCT x.account_id) AS accounts,
       (SELECT count(*) FROM plays p WHERE p.experiment_id = x.experiment_id AND p.variant = x.variant) AS plays,
       (SELECT avg(ratio) FROM daily d WHERE d.experiment_id = x.experiment_id AND d.variant = x.variant)
         AS plays_per_account
FROM analysed x
GROUP BY x.experiment_id, x.variant
