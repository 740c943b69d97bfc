-- name: Used UTC hours and the UTC date
-- explanation: hour(event_ts_utc) on the UTC date 2026-03-08 is not New York's day: it starts at 19:00 local the evening before and the hours are labelled 4 to 5 hours late, so prime time appears to run past midnight.
WITH watch AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc, watch_seconds
  FROM events WHERE event_type IN ('heartbeat', 'play_stop')
)
SELECT hour(w.event_ts_utc) AS local_hour, sum(w.watch_seconds) / 3600 AS watch_hours
FROM watch w JOIN accounts a USING (account_id)
WHERE a.home_tz = 'America/New_York' AND NOT a.is_test
  AND CAST(w.event_ts_utc AS DATE) = DATE '2026-03-08'
GROUP BY 1
