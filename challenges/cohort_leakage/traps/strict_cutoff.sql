-- name: Dropped the cohort whose window closes exactly at as_of
-- explanation: The last complete cohort closes exactly when cohort_week + 42 days equals as_of. A strict < throws away a finished cohort, so the newest number on the dashboard is a week staler than it needs to be.
WITH members AS (
  SELECT account_id, signup_ts_utc, date_trunc('week', signup_ts_utc)::DATE AS cohort_week
  FROM accounts WHERE NOT is_test),
retained AS (
  SELECT DISTINCT m.account_id FROM members m JOIN events e USING (account_id)
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= m.signup_ts_utc + INTERVAL 28 DAY
    AND e.event_ts_utc < m.signup_ts_utc + INTERVAL 35 DAY)
SELECT cohort_week, count(*) AS cohort_size, count(r.account_id) AS retained,
       count(r.account_id) / count(*) AS retention_rate
FROM members m LEFT JOIN retained r USING (account_id)
WHERE cohort_week + INTERVAL 42 DAY < (SELECT as_of_ts_utc FROM dataset_info)
GROUP BY 1 ORDER BY 1
