WITH watch AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc, watch_seconds
  FROM events
  WHERE event_type IN ('heartbeat', 'play_stop')
),
member_days AS (
  SELECT w.account_id, w.event_ts_utc::DATE AS day, sum(w.watch_seconds) / 60 AS minutes
  FROM watch w
  JOIN accounts a USING (account_id)
  CROSS JOIN dataset_info d
  WHERE NOT a.is_test
    AND w.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY
    AND w.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY w.account_id, w.event_ts_utc::DATE
)
SELECT day, count(*) AS active_members, median(minutes) AS median_watch_minutes
FROM member_days
GROUP BY day
ORDER BY day
