WITH p AS (
  SELECT DISTINCT e.event_id, e.account_id, e.device_id
  FROM events e JOIN accounts a USING (account_id), dataset_info i
  WHERE NOT a.is_test AND e.event_type = 'play_start'
    AND e.event_ts_utc >= i.as_of_ts_utc - INTERVAL 30 DAY AND e.event_ts_utc < i.as_of_ts_utc
)
SELECT d.device_type, count(DISTINCT p.account_id) AS viewers, count(DISTINCT p.event_id) AS plays
FROM p JOIN devices d USING (device_id) GROUP BY 1
