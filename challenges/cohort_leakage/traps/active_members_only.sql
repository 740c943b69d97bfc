-- name: Lost members who never played from the denominator
-- explanation: Building cohorts from events (or inner-joining accounts to plays) drops members who signed up and never played. The cohort shrinks, retention looks better than it is, and the onboarding problem those members reveal disappears from the report.
WITH members AS (
  SELECT DISTINCT a.account_id, a.signup_ts_utc, date_trunc('week', a.signup_ts_utc)::DATE AS cohort_week
  FROM accounts a JOIN events e ON e.account_id = a.account_id AND e.event_type = 'play_start'
  WHERE NOT a.is_test),
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
