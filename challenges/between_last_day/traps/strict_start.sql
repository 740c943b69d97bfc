-- name: Strict start: lost the plays at the first midnight
-- explanation: '> 2026-04-20' excludes events at exactly 2026-04-20 00:00:00. Sessions do start exactly on midnight (scheduled and auto-started plays), so the first day is undercounted by exactly the plays a release-night analysis cares about.
WITH plays AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc
  FROM events WHERE event_type = 'play_start'
)
SELECT CAST(p.event_ts_utc AS DATE) AS day, count(*) AS plays
FROM plays p JOIN accounts a USING (account_id)
WHERE NOT a.is_test
  AND p.event_ts_utc > '2026-04-20' AND p.event_ts_utc < '2026-04-27'
GROUP BY 1
