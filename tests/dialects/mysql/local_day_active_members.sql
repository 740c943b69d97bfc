-- sqlglot writes DuckDB's timezone() for MySQL; CONVERT_TZ needs the zone tables
-- (scripts/engines.sh loads them).
WITH member_days AS (
  SELECT DISTINCT e.account_id, a.home_tz,
         DATE(CONVERT_TZ(e.event_ts_utc, '+00:00', a.home_tz)) AS day,
         DATE(CONVERT_TZ(d.as_of_ts_utc, '+00:00', a.home_tz)) AS as_of_day
  FROM events e
  JOIN accounts a ON a.account_id = e.account_id
  CROSS JOIN dataset_info d
  WHERE NOT a.is_test
)
SELECT home_tz, day, count(*) AS active_members
FROM member_days
WHERE day >= as_of_day - INTERVAL 7 DAY AND day < as_of_day
GROUP BY home_tz, day
