-- Plays per day of the campaign 2026-04-20 .. 2026-04-26 (both days entirely).
WITH plays AS (
  SELECT DISTINCT e.event_id, e.event_ts_utc
  FROM events e JOIN accounts a USING (account_id)
  WHERE NOT a.is_test AND e.event_type = 'play_start'
    AND e.event_ts_utc >= TIMESTAMP '2026-04-20' AND e.event_ts_utc < TIMESTAMP '2026-04-27'
)
SELECT CAST(event_ts_utc AS DATE) AS day, count(DISTINCT event_id) AS plays
FROM plays GROUP BY 1
