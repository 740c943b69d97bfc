-- name: Cut days at UTC midnight
-- explanation: CAST(event_ts_utc AS DATE) is the UTC day. A Los Angeles evening lands on the next day and a Tokyo or Sydney morning on the previous one, so each zone's daily numbers mix two local days; the weekday pattern is shifted, and a weekend-evening campaign looks like it worked on Monday.
SELECT a.home_tz, CAST(e.event_ts_utc AS DATE) AS day, count(DISTINCT e.account_id) AS active_members
FROM events e JOIN accounts a USING (account_id), dataset_info d
WHERE NOT a.is_test
  AND e.event_ts_utc >= CAST(d.as_of_ts_utc AS DATE) - INTERVAL 7 DAY
  AND e.event_ts_utc < CAST(d.as_of_ts_utc AS DATE)
GROUP BY 1, 2
