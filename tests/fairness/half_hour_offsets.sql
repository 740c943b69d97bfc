WITH p AS (
  SELECT a.account_id, a.home_tz,
         CAST(timezone(a.home_tz, timezone('UTC', e.event_ts_utc)) AS DATE) AS day,
         CAST(timezone(a.home_tz, timezone('UTC', (SELECT as_of_ts_utc FROM dataset_info))) AS DATE) AS l,
         e.event_id
  FROM events e JOIN accounts a USING (account_id)
  WHERE NOT a.is_test AND a.home_tz IN ('Asia/Kolkata', 'Asia/Kathmandu') AND e.event_type = 'play_start'
)
SELECT home_tz, day, count(DISTINCT event_id) AS plays
FROM p WHERE day >= l - 7 AND day < l GROUP BY 1, 2
