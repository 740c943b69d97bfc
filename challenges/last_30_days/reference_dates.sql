-- The window as two named bounds; viewers and plays from one deduplicated scan.
WITH bounds AS (
  SELECT as_of_ts_utc - INTERVAL 30 DAY AS window_start, as_of_ts_utc AS window_end FROM dataset_info
),
plays AS (
  SELECT event_id, min(account_id) AS account_id, min(device_id) AS device_id
  FROM events, bounds
  WHERE event_type = 'play_start' AND event_ts_utc >= window_start AND event_ts_utc < window_end
  GROUP BY event_id
)
SELECT dv.device_type, count(DISTINCT p.account_id) AS viewers, count(p.event_id) AS plays
FROM plays p
JOIN devices dv ON dv.device_id = p.device_id
WHERE p.account_id NOT IN (SELECT account_id FROM accounts WHERE is_test)
GROUP BY dv.device_type
