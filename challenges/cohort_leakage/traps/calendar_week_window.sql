-- name: Measured week 4 from the cohort's Monday, not each member's signup
-- explanation: A member who signed up on Sunday gets a window that starts 6 days early; late-week signups are judged on their days 22-29. Retention then depends on the weekday mix of signups (campaign launches!) rather than on behaviour.
WITH members AS (
  SELECT account_id, signup_ts_utc, date_trunc('week', signup_ts_utc)::DATE AS cohort_week
  FROM accounts WHERE NOT is_test),
retained AS (
  SELECT DISTINCT m.account_id FROM members m JOIN events e USING (account_id)
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= m.cohort_week + INTERVAL 28 DAY
    AND e.event_ts_utc < m.cohort_week + INTERVAL 35 DAY)
SELECT cohort_week, count(*) AS cohort_size, count(r.account_id) AS retained,
       count(r.account_id) / count(*) AS retention_rate
FROM members m LEFT JOIN retained r USING (account_id)
WHERE cohort_week + INTERVAL 42 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
GROUP BY 1 ORDER BY 1
