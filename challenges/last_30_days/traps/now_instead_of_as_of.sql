-- name: Used the machine's clock (now()) instead of the world's as_of
-- explanation: The dataset ends at dataset_info.as_of_ts_utc; now() is whenever the query runs. Here the window lands after the data, so the report is empty (or, on a live warehouse, silently different every time it is re-run), and a scheduled report compared week to week measures the clock, not the members.
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
  AND p.event_ts_utc >= now() - INTERVAL 30 DAY AND p.event_ts_utc < now()
GROUP BY 1
