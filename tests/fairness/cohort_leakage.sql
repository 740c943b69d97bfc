WITH m AS (
  SELECT account_id, signup_ts_utc, CAST(date_trunc('week', signup_ts_utc) AS DATE) AS cohort_week
  FROM accounts WHERE NOT is_test
), r AS (
  SELECT m.*, EXISTS (SELECT 1 FROM events e WHERE e.account_id = m.account_id AND e.event_type = 'play_start'
           AND e.event_ts_utc >= m.signup_ts_utc + INTERVAL 28 DAY
           AND e.event_ts_utc < m.signup_ts_utc + INTERVAL 35 DAY) AS retained
  FROM m
)
SELECT cohort_week, count(*) AS cohort_size, count(*) FILTER (WHERE retained) AS retained,
       count(*) FILTER (WHERE retained)::DOUBLE / nullif(count(*), 0) AS retention_rate
FROM r
WHERE cohort_week + INTERVAL 42 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
GROUP BY 1 ORDER BY 1
