WITH watch AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, title_id, event_ts_utc, watch_seconds
  FROM events
  WHERE event_type IN ('heartbeat', 'play_stop')
),
bounds AS (
  SELECT as_of_ts_utc::DATE - INTERVAL 7 DAY AS lo, as_of_ts_utc::DATE AS hi FROM dataset_info
)
SELECT coalesce(t.genre, 'unknown') AS genre, sum(w.watch_seconds) / 3600 AS watch_hours
FROM watch w
JOIN accounts a USING (account_id)
JOIN titles t USING (title_id)
CROSS JOIN bounds b
WHERE NOT a.is_test AND w.event_ts_utc >= b.lo AND w.event_ts_utc < b.hi
GROUP BY 1
