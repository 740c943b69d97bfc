-- name: Summed re-delivered events twice
-- explanation: Events are delivered at least once; copies share the event_id and differ only in received_ts_utc. Summing raw rows counts every retry again, so watch hours are inflated, most for genres watched on flaky mobile connections, and a content decision would favour them for the wrong reason.
SELECT coalesce(t.genre, 'unknown') AS genre, sum(e.watch_seconds) / 3600 AS watch_hours
FROM events e JOIN accounts a USING (account_id) JOIN titles t USING (title_id), dataset_info d
WHERE e.event_type IN ('heartbeat', 'play_stop') AND NOT a.is_test
  AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND e.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY 1
