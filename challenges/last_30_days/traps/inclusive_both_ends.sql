-- name: Closed window: kept the events exactly at as_of
-- explanation: BETWEEN as_of - 30 days AND as_of is inclusive at both ends, so plays sitting exactly at as_of (the first instant of the next period) are counted in this one too; consecutive 30-day reports then double-count their shared boundary.
WITH plays AS (
  SELECT DISTINCT ON (e.event_id) e.event_id, e.account_id, e.device_id, e.event_ts_utc
  FROM events e
  WHERE e.event_type = 'play_start'
)
SELECT dv.device_type, count(DISTINCT p.account_id) AS viewers, count(*) AS plays
FROM plays p
JOIN devices dv USING (device_id)
JOIN accounts a ON a.account_id = p.account_id
CROSS JOIN dataset_info d
WHERE NOT a.is_test
  AND p.event_ts_utc BETWEEN d.as_of_ts_utc - INTERVAL 30 DAY AND d.as_of_ts_utc
GROUP BY 1
