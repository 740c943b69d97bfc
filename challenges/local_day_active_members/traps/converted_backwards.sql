-- name: Converted in the wrong direction (timezone() on a naive UTC timestamp)
-- explanation: timezone(zone, ts) on a naive TIMESTAMP reads ts as a wall-clock time in that zone and returns the UTC instant: the shift goes the wrong way (New York events move 4 hours later instead of earlier). Days are off by twice the offset, so far-east and far-west zones get the most wrong days.
WITH member_days AS (
  SELECT DISTINCT e.account_id, a.home_tz,
         CAST(timezone(a.home_tz, e.event_ts_utc) AS DATE) AS day,
         CAST(timezone(a.home_tz, d.as_of_ts_utc) AS DATE) AS as_of_day
  FROM events e JOIN accounts a ON a.account_id = e.account_id CROSS JOIN dataset_info d
  WHERE NOT a.is_test
)
SELECT home_tz, day, count(*) AS active_members
FROM member_days
WHERE day >= as_of_day - 7 AND day < as_of_day
GROUP BY home_tz, day
