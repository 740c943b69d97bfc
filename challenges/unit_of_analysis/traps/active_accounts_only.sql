-- name: Divided by accounts that played, not by assigned accounts
-- explanation: Starting from the play events keeps only accounts that played in their window. Members the treatment failed to activate vanish from the denominator, so an arm that loses casual members can look like it raised engagement: survivorship, not effect.
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
)
SELECT experiment_id, variant,
       count(DISTINCT account_id) AS accounts,
       count(*) AS plays,
       count(*) / count(DISTINCT account_id) AS plays_per_account
FROM plays
GROUP BY experiment_id, variant
