WITH plays AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc
  FROM events WHERE event_type = 'play_start'
)
SELECT CAST(p.event_ts_utc AS DATE) AS day, count(*) AS plays
FROM plays p JOIN accounts a USING (account_id)
WHERE NOT a.is_test
  AND p.event_ts_utc >= TIMESTAMP '2026-04-20 00:00:00' AND p.event_ts_utc < TIMESTAMP '2026-04-27 00:00:00'
GROUP BY 1
