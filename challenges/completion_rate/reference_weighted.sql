-- Dedup with row_number(), date cuts on CAST(... AS DATE), the ratio from a flattened viewing table.
WITH one_per_event AS (
  SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY received_ts_utc) AS copy_no
  FROM events
  WHERE event_type IN ('heartbeat', 'play_stop')
),
viewings AS (
  SELECT session_id, title_id, sum(watch_seconds) AS watched_s
  FROM one_per_event
  WHERE copy_no = 1
    AND account_id IN (SELECT account_id FROM accounts WHERE is_test = false)
    AND CAST(event_ts_utc AS DATE) >= (SELECT CAST(as_of_ts_utc AS DATE) - 28 FROM dataset_info)
    AND CAST(event_ts_utc AS DATE) < (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
  GROUP BY session_id, title_id
)
SELECT title_type, count(*) AS viewings, sum(watched_s) / 3600.0 AS watched_hours,
       sum(watched_s * 1.0) / sum(runtime_s) AS completion_rate
FROM (SELECT v.*, t.title_type, t.runtime_min * 60 AS runtime_s
      FROM viewings v JOIN titles t ON t.title_id = v.title_id) x
GROUP BY title_type
