-- name: Summed re-delivered heartbeats twice
-- explanation: Re-sent heartbeats repeat their watch_seconds, so members on flaky devices get minutes they never watched; members near the middle move up and the median creeps above what the typical member really watches.
WITH member_days AS (
  SELECT e.account_id, e.event_ts_utc::DATE AS day, sum(e.watch_seconds) / 60 AS minutes
  FROM events e JOIN accounts a USING (account_id), dataset_info d
  WHERE e.event_type IN ('heartbeat', 'play_stop') AND NOT a.is_test
    AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND e.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY 1, 2
)
SELECT day, count(*) AS active_members, median(minutes) AS median_watch_minutes
FROM member_days GROUP BY day ORDER BY day
