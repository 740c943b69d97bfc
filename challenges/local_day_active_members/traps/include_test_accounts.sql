-- name: Kept test and bot accounts
-- explanation: Internal QA and bot accounts are active every day; they add "members" to whichever zones they are registered in, flattening the daily pattern and inflating small markets most.
WITH member_days AS (
  SELECT DISTINCT e.account_id, a.home_tz,
         CAST(timezone(a.home_tz, e.event_ts_utc::TIMESTAMPTZ) AS DATE) AS day,
         CAST(timezone(a.home_tz, d.as_of_ts_utc::TIMESTAMPTZ) AS DATE) AS as_of_day
  FROM events e JOIN accounts a ON a.account_id = e.account_id CROSS JOIN dataset_info d
)
SELECT home_tz, day, count(*) AS active_members
FROM member_days
WHERE day >= as_of_day - 7 AND day < as_of_day
GROUP BY home_tz, day
