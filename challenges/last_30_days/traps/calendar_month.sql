-- name: Took the last calendar month instead of the last 30 days
-- explanation: "Last 30 days" is a rolling window ending at as_of; the previous calendar month is a different period (28 to 31 days, ending up to a month earlier). Compared with another rolling metric it mixes periods, and its length changes from month to month.
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
  AND p.event_ts_utc >= date_trunc('month', d.as_of_ts_utc) - INTERVAL 1 MONTH AND p.event_ts_utc < date_trunc('month', d.as_of_ts_utc)
GROUP BY 1
