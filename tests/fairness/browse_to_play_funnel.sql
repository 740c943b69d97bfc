WITH ev AS (
  SELECT DISTINCT e.event_id, e.session_id, e.device_id, e.event_type, e.event_ts_utc
  FROM events e JOIN accounts a USING (account_id) WHERE NOT a.is_test
), s AS (
  SELECT session_id, any_value(device_id) AS device_id,
         min(event_ts_utc) FILTER (WHERE event_type = 'browse') AS first_browse
  FROM ev GROUP BY session_id
  HAVING count(*) FILTER (WHERE event_type = 'browse') > 0
), conv AS (
  SELECT s.session_id, s.device_id,
         EXISTS (SELECT 1 FROM ev WHERE ev.session_id = s.session_id AND ev.event_type = 'play_start'
                 AND ev.event_ts_utc > s.first_browse) AS converted
  FROM s
)
SELECT d.device_type, count(*) AS browse_sessions, count(*) FILTER (WHERE converted) AS converted_sessions,
       count(*) FILTER (WHERE converted)::DOUBLE / nullif(count(*), 0) AS conversion_rate
FROM conv JOIN devices d USING (device_id) GROUP BY 1
