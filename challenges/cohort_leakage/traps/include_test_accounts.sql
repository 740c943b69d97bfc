-- name: Kept test and bot accounts
-- explanation: Test accounts are created in batches and play every day; they add always-retained "members" to some cohorts, lifting their retention for reasons no customer shares.
WITH members AS (
  SELECT account_id, signup_ts_utc, date_trunc('week', signup_ts_utc)::DATE AS cohort_week
  FROM accounts),
retained AS (
  SELECT DISTINCT m.account_id FROM members m JOIN events e USING (account_id)
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= m.signup_ts_utc + INTERVAL 28 DAY
    AND e.event_ts_utc < m.signup_ts_utc + INTERVAL 35 DAY)
SELECT cohort_week, count(*) AS cohort_size, count(r.account_id) AS retained,
       count(r.account_id) / count(*) AS retention_rate
FROM members m LEFT JOIN retained r USING (account_id)
WHERE cohort_week + INTERVAL 42 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
GROUP BY 1 ORDER BY 1
