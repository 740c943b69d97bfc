-- name: Kept contaminated accounts in the variant of their first assignment
-- explanation: "Intent to treat by first assignment" sounds principled, but these accounts were later also served the other experience, so part of what is credited to one arm was caused by the other. The arm sizes and conversion are quietly off by the contaminated share, and nobody learns that 2% of the experiment is broken.
WITH first_assignment AS (
  SELECT experiment_id, account_id,
         arg_min(variant, assigned_ts_utc) AS variant, min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments GROUP BY experiment_id, account_id
),
analysed AS (
  SELECT f.* FROM first_assignment f JOIN accounts a USING (account_id)
  WHERE NOT a.is_test
    AND f.assigned_ts + INTERVAL 7 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
),
converted AS (
  SELECT DISTINCT x.experiment_id, x.account_id
  FROM analysed x JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts AND e.event_ts_utc < x.assigned_ts + INTERVAL 7 DAY
)
SELECT x.experiment_id, x.variant, count(*) AS accounts, count(c.account_id) AS converted,
       count(c.account_id) / count(*) AS conversion_rate
FROM analysed x LEFT JOIN converted c USING (experiment_id, account_id)
GROUP BY x.experiment_id, x.variant
