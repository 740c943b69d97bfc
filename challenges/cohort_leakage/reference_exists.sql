-- Per-member flag with EXISTS, then aggregate.
SELECT cohort_week, count(*) AS cohort_size, sum(is_retained) AS retained,
       avg(is_retained) AS retention_rate
FROM (
  SELECT CAST(a.signup_ts_utc AS DATE) - CAST(isodow(a.signup_ts_utc) - 1 AS INTEGER) AS cohort_week,
         CASE WHEN EXISTS (
           SELECT 1 FROM events e
           WHERE e.account_id = a.account_id AND e.event_type = 'play_start'
             AND e.event_ts_utc >= a.signup_ts_utc + INTERVAL '28 days'
             AND e.event_ts_utc < a.signup_ts_utc + INTERVAL '35 days'
         ) THEN 1 ELSE 0 END AS is_retained
  FROM accounts a
  WHERE a.is_test = false
) flags
WHERE cohort_week + 42 <= (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
GROUP BY cohort_week
ORDER BY cohort_week
