WITH w AS (
  SELECT DISTINCT e.event_id, e.watch_seconds,
         timezone('America/New_York', timezone('UTC', e.event_ts_utc)) AS local_ts
  FROM events e JOIN accounts a USING (account_id)
  WHERE NOT a.is_test AND a.home_tz = 'America/New_York' AND e.event_type IN ('heartbeat', 'play_stop')
)
SELECT CAST(hour(local_ts) AS INTEGER) AS local_hour, sum(watch_seconds) / 3600.0 AS watch_hours
FROM w WHERE CAST(local_ts AS DATE) = DATE '2026-03-08' GROUP BY 1
