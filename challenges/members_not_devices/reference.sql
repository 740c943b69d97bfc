WITH window_days AS (
  SELECT as_of_ts_utc::DATE - INTERVAL 7 DAY AS first_day, as_of_ts_utc::DATE AS end_day
  FROM dataset_info
)
SELECT e.event_ts_utc::DATE AS day, count(DISTINCT e.account_id) AS viewers
FROM events e
JOIN accounts a USING (account_id)
CROSS JOIN window_days w
WHERE e.event_type = 'play_start'
  AND NOT a.is_test
  AND e.event_ts_utc >= w.first_day
  AND e.event_ts_utc < w.end_day
GROUP BY 1
