-- Turn the local day into its UTC bounds first (05:00 to 04:00 the next day: 23 hours),
-- then label each event with its local hour.
WITH bounds AS (
  SELECT timezone('America/New_York', TIMESTAMP '2026-03-08 00:00:00') AT TIME ZONE 'UTC' AS lo,
         timezone('America/New_York', TIMESTAMP '2026-03-09 00:00:00') AT TIME ZONE 'UTC' AS hi
),
events_once AS (
  SELECT event_id, any_value(account_id) AS account_id, any_value(event_ts_utc) AS event_ts_utc,
         any_value(watch_seconds) AS watch_seconds
  FROM events
  WHERE watch_seconds IS NOT NULL
  GROUP BY event_id
)
SELECT extract(hour FROM e.event_ts_utc AT TIME ZONE 'UTC' AT TIME ZONE 'America/New_York') AS local_hour,
       sum(e.watch_seconds) / 3600.0 AS watch_hours
FROM events_once e
JOIN accounts a ON a.account_id = e.account_id
CROSS JOIN bounds b
WHERE a.home_tz = 'America/New_York' AND a.is_test = false
  AND e.event_ts_utc >= b.lo AND e.event_ts_utc < b.hi
GROUP BY 1
