-- MySQL has no DISTINCT ON (row_number() keeps one copy) and no timezone() (CONVERT_TZ).
WITH plays AS (
  SELECT home_tz, day, as_of_day
  FROM (SELECT a.home_tz,
               DATE(CONVERT_TZ(e.event_ts_utc, '+00:00', a.home_tz)) AS day,
               DATE(CONVERT_TZ(d.as_of_ts_utc, '+00:00', a.home_tz)) AS as_of_day,
               row_number() OVER (PARTITION BY e.event_id) AS copy_no
        FROM events e
        JOIN accounts a ON a.account_id = e.account_id
        CROSS JOIN dataset_info d
        WHERE e.event_type = 'play_start' AND NOT a.is_test
          AND a.home_tz IN ('Asia/Kolkata', 'Asia/Kathmandu')) AS copies
  WHERE copy_no = 1
)
SELECT home_tz, day, count(*) AS plays
FROM plays
WHERE day >= as_of_day - INTERVAL 7 DAY AND day < as_of_day
GROUP BY home_tz, day
