-- name: BETWEEN date literals on a timestamp lost the last day
-- explanation: BETWEEN '2026-04-20' AND '2026-04-26' compares a timestamp with 2026-04-26 00:00:00, so all of Sunday April 26 is dropped except events exactly at midnight. The week looks like it ended in a slump, and a week-over-week comparison shows a drop that never happened.
WITH plays AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc
  FROM events WHERE event_type = 'play_start'
)
SELECT CAST(p.event_ts_utc AS DATE) AS day, count(*) AS plays
FROM plays p JOIN accounts a USING (account_id)
WHERE NOT a.is_test
  AND p.event_ts_utc BETWEEN '2026-04-20' AND '2026-04-26'
GROUP BY 1
