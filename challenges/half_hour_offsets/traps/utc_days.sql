-- name: Cut days at UTC midnight
-- explanation: UTC midnight is 05:30 in India and 05:45 in Nepal, so the UTC day holds the end of one local night and most of the next: the midnight viewing peak is split across two dates and each "day" is mislabelled.
SELECT a.home_tz, CAST(e.event_ts_utc AS DATE) AS day, count(DISTINCT e.event_id) AS plays
FROM events e JOIN accounts a USING (account_id), dataset_info d
WHERE e.event_type = 'play_start' AND NOT a.is_test
  AND a.home_tz IN ('Asia/Kolkata', 'Asia/Kathmandu')
  AND e.event_ts_utc >= CAST(d.as_of_ts_utc AS DATE) - INTERVAL 7 DAY
  AND e.event_ts_utc < CAST(d.as_of_ts_utc AS DATE)
GROUP BY 1, 2
