-- One row per member and day first, then count the rows.
SELECT day, count(*) AS viewers
FROM (
  SELECT DISTINCT account_id, CAST(event_ts_utc AS DATE) AS day
  FROM events
  WHERE event_type = 'play_start'
    AND account_id IN (SELECT account_id FROM accounts WHERE is_test = false)
) member_days
WHERE day >= (SELECT CAST(as_of_ts_utc AS DATE) - 7 FROM dataset_info)
  AND day < (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
GROUP BY day
