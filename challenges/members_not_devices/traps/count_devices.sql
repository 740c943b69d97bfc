-- name: Counted devices instead of members
-- explanation: COUNT(DISTINCT device_id) counts screens. Households watch on several devices, so this reports more "viewers" than there are members, and it grows when members buy a new TV, not when the audience grows.
SELECT e.event_ts_utc::DATE AS day, count(DISTINCT e.device_id) AS viewers
FROM events e JOIN accounts a USING (account_id), dataset_info d
WHERE e.event_type = 'play_start' AND NOT a.is_test
  AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY
  AND e.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY 1
