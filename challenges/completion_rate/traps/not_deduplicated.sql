-- name: Summed re-delivered heartbeats twice
-- explanation: Heartbeats re-sent with the same event_id add their watch_seconds again, so watched time and the completion rate are inflated, most for titles watched on flaky mobile connections. Titles would look more compelling than they are.
WITH viewings AS (
  SELECT e.session_id, e.title_id, sum(e.watch_seconds) AS watched_s
  FROM events e JOIN accounts a USING (account_id), dataset_info d
  WHERE e.event_type IN ('heartbeat', 'play_stop') AND NOT a.is_test
    AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 28 DAY AND e.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY 1, 2
)
SELECT t.title_type, count(*) AS viewings, sum(v.watched_s) / 3600 AS watched_hours,
       sum(v.watched_s) / sum(t.runtime_min * 60) AS completion_rate
FROM viewings v JOIN titles t USING (title_id)
GROUP BY t.title_type
