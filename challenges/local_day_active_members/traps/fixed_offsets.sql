-- name: Shifted by a fixed (standard-time) offset per zone, ignoring DST
-- explanation: A hand-written offset table (New York = UTC-5, Berlin = UTC+1, ...) is right only in winter. In spring and summer the US and European zones are an hour further east, so every event in the hour after local midnight moves to the wrong day, and the error appears and disappears with the DST calendar.
WITH offsets(home_tz, hours) AS (
  VALUES ('America/New_York', -5.0), ('America/Chicago', -6.0), ('America/Los_Angeles', -8.0),
         ('America/Sao_Paulo', -3.0), ('Europe/London', 0.0), ('Europe/Berlin', 1.0),
         ('Asia/Kolkata', 5.5), ('Asia/Kathmandu', 5.75), ('Asia/Tokyo', 9.0),
         ('Australia/Sydney', 10.0), ('Pacific/Auckland', 12.0)
),
member_days AS (
  SELECT DISTINCT e.account_id, a.home_tz,
         CAST(e.event_ts_utc + to_minutes(CAST(o.hours * 60 AS BIGINT)) AS DATE) AS day,
         CAST(d.as_of_ts_utc + to_minutes(CAST(o.hours * 60 AS BIGINT)) AS DATE) AS as_of_day
  FROM events e JOIN accounts a ON a.account_id = e.account_id
  JOIN offsets o ON o.home_tz = a.home_tz CROSS JOIN dataset_info d
  WHERE NOT a.is_test
)
SELECT home_tz, day, count(*) AS active_members
FROM member_days
WHERE day >= as_of_day - 7 AND day < as_of_day
GROUP BY home_tz, day
