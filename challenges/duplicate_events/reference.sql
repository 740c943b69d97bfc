WITH bounds AS (
  SELECT as_of_ts_utc::DATE - INTERVAL 7 DAY AS lo, as_of_ts_utc::DATE AS hi FROM dataset_info
),
watch AS (
  -- One row per event_id. Filtering on the event's own time before deduplicating is the
  -- same (a re-delivered copy has the same event_ts_utc) and leaves far fewer rows to sort.
  SELECT DISTINCT ON (event_id) event_id, account_id, title_id, watch_seconds
  FROM events
  CROSS JOIN bounds b
  WHERE event_type IN ('heartbeat', 'play_stop')
    AND event_ts_utc >= b.lo AND event_ts_utc < b.hi
)
SELECT coalesce(t.genre, 'unknown') AS genre, sum(w.watch_seconds) / 3600 AS watch_hours
FROM watch w
JOIN accounts a USING (account_id)
JOIN titles t USING (title_id)
WHERE NOT a.is_test
GROUP BY 1
