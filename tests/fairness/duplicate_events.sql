WITH p AS (SELECT CAST(as_of_ts_utc AS DATE) AS d FROM dataset_info),
w AS (
  SELECT DISTINCT e.event_id, e.title_id, e.watch_seconds
  FROM events e JOIN accounts a USING (account_id), p
  WHERE NOT a.is_test AND e.event_type IN ('heartbeat', 'play_stop')
    AND e.event_ts_utc >= p.d - INTERVAL 7 DAY AND e.event_ts_utc < p.d
)
SELECT coalesce(t.genre, 'unknown') AS genre, sum(w.watch_seconds) / 3600.0 AS watch_hours
FROM w JOIN titles t USING (title_id) GROUP BY 1
