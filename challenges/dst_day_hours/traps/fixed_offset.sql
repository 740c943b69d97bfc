-- name: Shifted UTC by the standard offset (-5 h) all day
-- explanation: New York is UTC-5 until 02:00 and UTC-4 after it. A fixed -5 hours labels every hour after the change one hour too early (evening prime time appears an hour earlier) and pulls an hour of the next night into the day, so a scheduling or capacity decision keyed to local hours is off by one.
WITH watch AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc, watch_seconds
  FROM events WHERE event_type IN ('heartbeat', 'play_stop')
),
local AS (
  SELECT w.event_ts_utc - INTERVAL 5 HOUR AS local_ts, w.watch_seconds
  FROM watch w JOIN accounts a USING (account_id)
  WHERE a.home_tz = 'America/New_York' AND NOT a.is_test
)
SELECT hour(local_ts) AS local_hour, sum(watch_seconds) / 3600 AS watch_hours
FROM local
WHERE CAST(local_ts AS DATE) = DATE '2026-03-08'
GROUP BY 1
