WITH watch AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc, watch_seconds
  FROM events
  WHERE event_type IN ('heartbeat', 'play_stop')
),
local AS (
  SELECT timezone(a.home_tz, w.event_ts_utc::TIMESTAMPTZ) AS local_ts, w.watch_seconds
  FROM watch w JOIN accounts a USING (account_id)
  WHERE a.home_tz = 'America/New_York' AND NOT a.is_test
)
SELECT hour(local_ts) AS local_hour, sum(watch_seconds) / 3600 AS watch_hours
FROM local
WHERE CAST(local_ts AS DATE) = DATE '2026-03-08'
GROUP BY 1
