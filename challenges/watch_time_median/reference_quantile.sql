-- GROUP BY event_id to deduplicate, quantile_cont for the median.
WITH one_per_event AS (
  SELECT event_id, any_value(account_id) AS account_id, any_value(event_ts_utc) AS event_ts_utc,
         any_value(watch_seconds) AS watch_seconds
  FROM events
  WHERE event_type IN ('heartbeat', 'play_stop')
  GROUP BY event_id
)
SELECT day, count(*) AS active_members,
       quantile_cont(minutes, 0.5) AS median_watch_minutes
FROM (
  SELECT account_id, CAST(event_ts_utc AS DATE) AS day, sum(watch_seconds) / 60.0 AS minutes
  FROM one_per_event
  WHERE account_id IN (SELECT account_id FROM accounts WHERE NOT is_test)
  GROUP BY account_id, CAST(event_ts_utc AS DATE)
) member_days
WHERE day >= (SELECT CAST(as_of_ts_utc AS DATE) - 7 FROM dataset_info)
  AND day < (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
GROUP BY day
ORDER BY day
