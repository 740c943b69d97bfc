-- name: Counted 31 calendar dates (as_of date - 30 through as_of date)
-- explanation: date >= as_of date - 30 AND date <= as_of date spans 31 dates, the first and last of them partial when as_of is not midnight. The window is a day too long, so 30-day totals run about 3 % high and shift with the time of day the report is run.
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
  AND CAST(p.event_ts_utc AS DATE) >= CAST(d.as_of_ts_utc AS DATE) - 30 AND CAST(p.event_ts_utc AS DATE) <= CAST(d.as_of_ts_utc AS DATE)
GROUP BY 1
