-- name: Kept test and bot accounts
-- explanation: QA accounts watch the premiere too (it is what they are testing). Their plays are not audience: they inflate both numbers for whichever device types the QA lab uses and blur the comparison between the snapshot and the final count.
WITH plays AS (
  SELECT e.event_id, e.received_ts_utc, d.device_type
  FROM events e
  JOIN titles t USING (title_id)
  JOIN devices d USING (device_id)
  WHERE e.event_type = 'play_start' AND t.title = 'The Last Lighthouse'
    AND e.event_ts_utc >= TIMESTAMP '2026-04-17 07:00:00'
    AND e.event_ts_utc < TIMESTAMP '2026-04-17 18:00:00'
)
SELECT device_type,
       count(DISTINCT event_id) FILTER (WHERE received_ts_utc <= TIMESTAMP '2026-04-17 18:00:00') AS plays_shown,
       count(DISTINCT event_id) AS plays_final,
       count(DISTINCT event_id) FILTER (WHERE received_ts_utc > TIMESTAMP '2026-04-17 18:00:00')
         / count(DISTINCT event_id) AS late_share
FROM plays
GROUP BY 1
