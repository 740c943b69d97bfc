-- name: Patched BETWEEN with the next day and got an eighth day
-- explanation: BETWEEN '2026-04-20' AND '2026-04-27' is inclusive at both ends: plays at exactly 2026-04-27 00:00:00 (scheduled and auto-started plays do sit on midnight) appear as an extra day 2026-04-27 with a handful of plays, dragging any per-day average down.
WITH plays AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc
  FROM events WHERE event_type = 'play_start'
)
SELECT CAST(p.event_ts_utc AS DATE) AS day, count(*) AS plays
FROM plays p JOIN accounts a USING (account_id)
WHERE NOT a.is_test
  AND p.event_ts_utc BETWEEN '2026-04-20' AND '2026-04-27'
GROUP BY 1
