-- sqlglot writes date_trunc('week') as MySQL's Sunday-based week; the cohort week starts on
-- Monday: WEEKDAY() counts days since Monday.
WITH members AS (
  SELECT account_id, signup_ts_utc, DATE(signup_ts_utc) - INTERVAL WEEKDAY(signup_ts_utc) DAY AS cohort_week
  FROM accounts
  WHERE NOT is_test
),
retained AS (
  SELECT DISTINCT m.account_id
  FROM members m
  JOIN events e USING (account_id)
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= m.signup_ts_utc + INTERVAL 28 DAY
    AND e.event_ts_utc < m.signup_ts_utc + INTERVAL 35 DAY
)
SELECT m.cohort_week,
       count(*) AS cohort_size,
       count(r.account_id) AS retained,
       count(r.account_id) / count(*) AS retention_rate
FROM members m
LEFT JOIN retained r USING (account_id)
WHERE m.cohort_week + INTERVAL 42 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
GROUP BY m.cohort_week
ORDER BY m.cohort_week
