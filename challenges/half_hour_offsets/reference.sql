WITH plays AS (
  SELECT DISTINCT ON (e.event_id) e.event_id, a.home_tz,
         CAST(timezone(a.home_tz, e.event_ts_utc::TIMESTAMPTZ) AS DATE) AS day,
         CAST(timezone(a.home_tz, d.as_of_ts_utc::TIMESTAMPTZ) AS DATE) AS as_of_day
  FROM events e
  JOIN accounts a ON a.account_id = e.account_id
  CROSS JOIN dataset_info d
  WHERE e.event_type = 'play_start' AND NOT a.is_test
    AND a.home_tz IN ('Asia/Kolkata', 'Asia/Kathmandu')
)
SELECT home_tz, day, count(*) AS plays
FROM plays
WHERE day >= as_of_day - 7 AND day < as_of_day
GROUP BY home_tz, day
