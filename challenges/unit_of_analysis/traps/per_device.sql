-- name: Divided by devices instead of accounts
-- explanation: Plays per device answers a different question: an arm that happens to hold more multi-device households (or a treatment that gets members to sign in on one more screen) looks worse per device while its members watch more. The unit that was randomised, and the one the decision is about, is the account.
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
SELECT x.experiment_id, x.variant,
       count(DISTINCT d.device_id) AS accounts,
       (SELECT count(*) FROM plays p WHERE p.experiment_id = x.experiment_id AND p.variant = x.variant) AS plays,
       (SELECT count(*) FROM plays p WHERE p.experiment_id = x.experiment_id AND p.variant = x.variant)
         / count(DISTINCT d.device_id) AS plays_per_account
FROM analysed x JOIN devices d ON d.account_id = x.account_id
GROUP BY x.experiment_id, x.variant
