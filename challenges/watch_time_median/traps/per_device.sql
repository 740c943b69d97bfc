-- name: Took the median per device, not per member
-- explanation: Grouping by device splits a member's day into one slice per screen: a household that watches on the TV and a phone becomes two small "members". There are more rows and each is smaller, so the median understates how much a member watches and rises when households consolidate screens, not when they watch more.
WITH watch AS (SELECT DISTINCT ON (event_id) * FROM events WHERE event_type IN ('heartbeat', 'play_stop')),
device_days AS (
  SELECT w.device_id, w.event_ts_utc::DATE AS day, sum(w.watch_seconds) / 60 AS minutes
  FROM watch w JOIN accounts a USING (account_id), dataset_info d
  WHERE NOT a.is_test
    AND w.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND w.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY 1, 2
)
SELECT day, count(*) AS active_members, median(minutes) AS median_watch_minutes
FROM device_days GROUP BY day ORDER BY day
