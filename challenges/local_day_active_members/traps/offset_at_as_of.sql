-- name: Each zone's offset taken once, at as_of, for the whole week
-- explanation: Reading each zone's current UTC offset (at as_of) and adding it to every event is right only if the clocks did not change during the week. When the 7 days cross a DST change, the days before it are converted with the wrong offset, so the events in the hour around local midnight land on the neighbouring day and the days next to the change are miscounted.
WITH member_events AS (
  SELECT e.account_id, a.home_tz, e.event_ts_utc,
         timezone(a.home_tz, d.as_of_ts_utc::TIMESTAMPTZ) - d.as_of_ts_utc AS offset_at_as_of,
         CAST(timezone(a.home_tz, d.as_of_ts_utc::TIMESTAMPTZ) AS DATE) AS as_of_day
  FROM events e
  JOIN accounts a ON a.account_id = e.account_id
  CROSS JOIN dataset_info d
  WHERE NOT a.is_test
),
member_days AS (
  SELECT DISTINCT account_id, home_tz, CAST(event_ts_utc + offset_at_as_of AS DATE) AS day, as_of_day
  FROM member_events
)
SELECT home_tz, day, count(*) AS active_members
FROM member_days
WHERE day >= as_of_day - 7 AND day < as_of_day
GROUP BY home_tz, day
