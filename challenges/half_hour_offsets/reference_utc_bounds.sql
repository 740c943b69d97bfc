-- Each zone's window as UTC bounds (local midnights converted back to UTC), then the day of each play.
WITH zone_window AS (
  SELECT z.home_tz,
         CAST(z.home_tz_now AS DATE) AS as_of_day,
         timezone(z.home_tz, CAST(z.home_tz_now AS DATE) - INTERVAL 7 DAY) AT TIME ZONE 'UTC' AS lo_utc,
         timezone(z.home_tz, CAST(CAST(z.home_tz_now AS DATE) AS TIMESTAMP)) AT TIME ZONE 'UTC' AS hi_utc
  FROM (
    SELECT tz AS home_tz,
           (SELECT as_of_ts_utc FROM dataset_info) AT TIME ZONE 'UTC' AT TIME ZONE tz AS home_tz_now
    FROM (VALUES ('Asia/Kolkata'), ('Asia/Kathmandu')) v(tz)
  ) z
),
once AS (
  SELECT event_id, min(account_id) AS account_id, min(event_ts_utc) AS event_ts_utc
  FROM events WHERE event_type = 'play_start' GROUP BY event_id
)
SELECT a.home_tz,
       CAST(o.event_ts_utc AT TIME ZONE 'UTC' AT TIME ZONE a.home_tz AS DATE) AS day,
       count(*) AS plays
FROM once o
JOIN accounts a ON a.account_id = o.account_id AND NOT a.is_test
JOIN zone_window w ON w.home_tz = a.home_tz
WHERE o.event_ts_utc >= w.lo_utc AND o.event_ts_utc < w.hi_utc
GROUP BY 1, 2
