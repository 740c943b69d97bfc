-- Step by step with EXISTS over deduplicated events.
WITH ev AS (
  SELECT * FROM events
  WHERE account_id IN (SELECT account_id FROM accounts WHERE is_test = false)
  QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_ts_utc) = 1
),
browsing AS (
  SELECT session_id, any_value(device_id) AS device_id, min(event_ts_utc) AS first_browse
  FROM ev WHERE event_type = 'browse' GROUP BY session_id
)
SELECT d.device_type,
       count(*) AS browse_sessions,
       sum(CASE WHEN EXISTS (SELECT 1 FROM ev p WHERE p.session_id = b.session_id
                             AND p.event_type = 'play_start' AND p.event_ts_utc > b.first_browse)
                THEN 1 ELSE 0 END) AS converted_sessions,
       avg(CASE WHEN EXISTS (SELECT 1 FROM ev p WHERE p.session_id = b.session_id
                             AND p.event_type = 'play_start' AND p.event_ts_utc > b.first_browse)
                THEN 1 ELSE 0 END) AS conversion_rate
FROM browsing b JOIN devices d ON d.device_id = b.device_id
GROUP BY d.device_type
