-- name: Assumed the day lasts 24 hours
-- explanation: The local day of the change starts at 05:00 UTC and ends at 04:00 UTC the next day: it has 23 hours. Taking local midnight + 24 hours as its end adds the first hour of March 9 to hour 0, so the DST day looks like it had more late-night viewing than any other.
WITH watch AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc, watch_seconds
  FROM events WHERE event_type IN ('heartbeat', 'play_stop')
),
day_start AS (
  SELECT timezone('America/New_York', TIMESTAMP '2026-03-08 00:00:00') AT TIME ZONE 'UTC' AS lo
)
SELECT hour(timezone(a.home_tz, w.event_ts_utc::TIMESTAMPTZ)) AS local_hour,
       sum(w.watch_seconds) / 3600 AS watch_hours
FROM watch w JOIN accounts a USING (account_id) CROSS JOIN day_start d
WHERE a.home_tz = 'America/New_York' AND NOT a.is_test
  AND w.event_ts_utc >= d.lo AND w.event_ts_utc < d.lo + INTERVAL 24 HOUR
GROUP BY 1
