-- MySQL has no DISTINCT ON (row_number() keeps one copy) and no timezone() (CONVERT_TZ).
WITH watch AS (
  SELECT event_id, account_id, event_ts_utc, watch_seconds
  FROM (SELECT event_id, account_id, event_ts_utc, watch_seconds,
               row_number() OVER (PARTITION BY event_id) AS copy_no
        FROM events WHERE event_type IN ('heartbeat', 'play_stop')) AS copies
  WHERE copy_no = 1
),
local_watch AS (
  SELECT CONVERT_TZ(w.event_ts_utc, '+00:00', a.home_tz) AS local_ts, w.watch_seconds
  FROM watch w JOIN accounts a USING (account_id)
  WHERE a.home_tz = 'America/New_York' AND NOT a.is_test
)
SELECT HOUR(local_ts) AS local_hour, sum(watch_seconds) / 3600 AS watch_hours
FROM local_watch
WHERE DATE(local_ts) = DATE '2026-03-08'
GROUP BY 1
