-- One row per event with its first delivery time, then compare that with the snapshot.
WITH first_copy AS (
  SELECT event_id, account_id, device_id, title_id, event_ts_utc,
         min(received_ts_utc) AS first_received
  FROM events
  WHERE event_type = 'play_start'
  GROUP BY event_id, account_id, device_id, title_id, event_ts_utc
)
SELECT dv.device_type,
       count(*) FILTER (WHERE f.first_received <= TIMESTAMP '2026-04-17 18:00:00') AS plays_shown,
       count(*) AS plays_final,
       count(*) FILTER (WHERE f.first_received > TIMESTAMP '2026-04-17 18:00:00') / count(*) AS late_share
FROM first_copy f
JOIN devices dv ON dv.device_id = f.device_id
WHERE f.title_id = (SELECT title_id FROM titles WHERE title = 'The Last Lighthouse')
  AND f.account_id IN (SELECT account_id FROM accounts WHERE NOT is_test)
  AND f.event_ts_utc >= TIMESTAMP '2026-04-17 07:00:00'
  AND f.event_ts_utc < TIMESTAMP '2026-04-17 18:00:00'
GROUP BY dv.device_type
