-- One row per event first (GROUP BY event_id), then a 0/1 flag averaged over all rows.
WITH one_per_event AS (
  SELECT event_id, any_value(event_type) AS event_type,
         CASE WHEN max(profile_id) IS NULL THEN 1 ELSE 0 END AS no_profile
  FROM events
  WHERE account_id IN (SELECT account_id FROM accounts WHERE is_test = false)
    AND CAST(event_ts_utc AS DATE) >= (SELECT CAST(as_of_ts_utc AS DATE) - 7 FROM dataset_info)
    AND CAST(event_ts_utc AS DATE) < (SELECT CAST(as_of_ts_utc AS DATE) FROM dataset_info)
  GROUP BY event_id
)
SELECT event_type, count(*) AS events, sum(no_profile) AS events_without_profile,
       avg(no_profile) AS share_without_profile
FROM one_per_event
GROUP BY event_type
