-- name: Reported cohorts that have not had time to retain
-- explanation: Members who signed up less than 5 weeks before as_of have not lived through days 28-35 yet, so they cannot be retained. Keeping their cohorts shows retention collapsing in recent weeks: a false alarm that would send the team hunting for a problem that is only missing data.
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
GROUP BY 1 ORDER BY 1
