-- Deduplicate with a window function instead of DISTINCT ON.
WITH ranked AS (
  SELECT e.*, row_number() OVER (PARTITION BY event_id ORDER BY received_ts_utc) AS copy_no
  FROM events e
  WHERE event_type IN ('heartbeat', 'play_stop')
)
SELECT CASE WHEN t.genre IS NULL THEN 'unknown' ELSE t.genre END AS genre,
       sum(r.watch_seconds) / 3600.0 AS watch_hours
FROM ranked r
JOIN titles t ON t.title_id = r.title_id
WHERE r.copy_no = 1
  AND r.account_id NOT IN (SELECT account_id FROM accounts WHERE is_test)
  AND CAST(r.event_ts_utc AS DATE) >= (SELECT CAST(as_of_ts_utc AS DATE) - 7 FROM dataset_info)
  AND CAST(r.event_ts_utc AS DATE) < (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
GROUP BY 1
