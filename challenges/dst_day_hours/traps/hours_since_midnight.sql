-- name: Numbered the hours by time elapsed since local midnight
-- explanation: Counting hours elapsed since midnight assumes every hour of the day exists. On the day clocks jump from 02:00 to 03:00, the hour that starts at 03:00 is only the third hour of the day, so everything after the change is labelled one hour early and hour 23 disappears.
WITH watch AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc, watch_seconds
  FROM events WHERE event_type IN ('heartbeat', 'play_stop')
),
bounds AS (
  SELECT timezone('America/New_York', TIMESTAMP '2026-03-08 00:00:00') AT TIME ZONE 'UTC' AS lo,
         timezone('America/New_York', TIMESTAMP '2026-03-09 00:00:00') AT TIME ZONE 'UTC' AS hi
)
SELECT date_diff('hour', b.lo, w.event_ts_utc) AS local_hour, sum(w.watch_seconds) / 3600 AS watch_hours
FROM watch w JOIN accounts a USING (account_id) CROSS JOIN bounds b
WHERE a.home_tz = 'America/New_York' AND NOT a.is_test
  AND w.event_ts_utc >= b.lo AND w.event_ts_utc < b.hi
GROUP BY 1
