-- name: Used the device's zone (client_tz), not the member's home zone
-- explanation: client_tz is where the device was at the time: a member on a trip to Tokyo has their evening viewing placed on Tokyo days, so one member's home-zone day is split and counted twice or moved. The question is about members' own days; travellers make those numbers drift during holiday seasons.
WITH member_days AS (
  SELECT DISTINCT e.account_id, a.home_tz,
         CAST(timezone(e.client_tz, e.event_ts_utc::TIMESTAMPTZ) AS DATE) AS day,
         CAST(timezone(a.home_tz, d.as_of_ts_utc::TIMESTAMPTZ) AS DATE) AS as_of_day
  FROM events e JOIN accounts a ON a.account_id = e.account_id CROSS JOIN dataset_info d
  WHERE NOT a.is_test
)
SELECT home_tz, day, count(*) AS active_members
FROM member_days
WHERE day >= as_of_day - 7 AND day < as_of_day
GROUP BY home_tz, day
