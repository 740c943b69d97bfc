WITH per_account AS (
  SELECT experiment_id, account_id,
         count(DISTINCT variant) AS n_variants,
         min(variant) AS variant,
         min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments
  GROUP BY experiment_id, account_id
),
analysed AS (
  SELECT p.experiment_id, p.account_id, p.variant, p.assigned_ts
  FROM per_account p
  JOIN accounts a USING (account_id)
  WHERE p.n_variants = 1
    AND NOT a.is_test
    AND p.assigned_ts + INTERVAL 7 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
),
converted AS (
  SELECT DISTINCT x.experiment_id, x.account_id
  FROM analysed x
  JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts
    AND e.event_ts_utc < x.assigned_ts + INTERVAL 7 DAY
)
SELECT x.experiment_id, x.variant,
       count(*) AS accounts,
       count(c.account_id) AS converted,
       count(c.account_id) / count(*) AS conversion_rate
FROM analysed x
LEFT JOIN converted c USING (experiment_id, account_id)
GROUP BY x.experiment_id, x.variant
