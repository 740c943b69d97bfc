-- name: Exclusive end on the last day instead of the day after
-- explanation: A half-open range needs the day *after* the last one as its end. '< 2026-04-26' drops the last requested day entirely, so the report covers six days while everyone reads it as a week; totals and daily averages are understated by a seventh.
WITH plays AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc
  FROM events WHERE event_type = 'play_start'
)
SELECT CAST(p.event_ts_utc AS DATE) AS day, count(*) AS plays
FROM plays p JOIN accounts a USING (account_id)
WHERE NOT a.is_test
  AND p.event_ts_utc >= '2026-04-20' AND p.event_ts_utc < '2026-04-26'
GROUP BY 1
