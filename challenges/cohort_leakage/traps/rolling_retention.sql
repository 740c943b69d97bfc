-- name: Counted any activity after day 28 (future leakage)
-- explanation: "Played on or after day 28" is rolling retention: it keeps counting members who came back in week 9 or 12, so older cohorts look better simply because they have had more time, and every cohort's number rises the longer you wait. Week-4 retention needs the bounded window [28, 35).
WITH members AS (
  SELECT account_id, signup_ts_utc, date_trunc('week', signup_ts_utc)::DATE AS cohort_week
  FROM accounts WHERE NOT is_test),
retained AS (
  SELECT DISTINCT m.account_id FROM members m JOIN events e USING (account_id)
  WHERE e.event_type = 'play_start' AND e.event_ts_utc >= m.signup_ts_utc + INTERVAL 28 DAY)
SELECT cohort_week, count(*) AS cohort_size, count(r.account_id) AS retained,
       count(r.account_id) / count(*) AS retention_rate
FROM members m LEFT JOIN retained r USING (account_id)
WHERE cohort_week + INTERVAL 42 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
GROUP BY 1 ORDER BY 1
