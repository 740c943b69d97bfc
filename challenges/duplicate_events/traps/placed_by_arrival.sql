-- name: Placed events by arrival, not by when they happened
-- explanation: received_ts_utc is when the warehouse got the event; offline viewing synced days later lands in the wrong week. The window then misses viewing that happened in it and includes viewing from before it.
WITH watch AS (
  SELECT * FROM events WHERE event_type IN ('heartbeat', 'play_stop')
  QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_ts_utc) = 1)
SELECT coalesce(t.genre, 'unknown') AS genre, sum(w.watch_seconds) / 3600 AS watch_hours
FROM watch w JOIN accounts a USING (account_id) JOIN titles t USING (title_id), dataset_info d
WHERE NOT a.is_test
  AND w.received_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND w.received_ts_utc < d.as_of_ts_utc::DATE
GROUP BY 1
