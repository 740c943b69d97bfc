-- name: Counted browse events instead of sessions
-- explanation: Each browse event followed by a play counts as a conversion and each browse event as an entry, so a session that scrolled through ten rows weighs ten times as much as one that went straight to a title. Long, indecisive sessions dominate the rate, and a change that shortens browsing looks like it hurt conversion.
WITH ev AS (
  SELECT DISTINCT ON (e.event_id) e.event_id, e.session_id, e.device_id, e.event_type, e.event_ts_utc
  FROM events e JOIN accounts a USING (account_id) WHERE NOT a.is_test),
browses AS (
  SELECT b.event_id, b.device_id,
         EXISTS (SELECT 1 FROM ev p WHERE p.session_id = b.session_id AND p.event_type = 'play_start'
                 AND p.event_ts_utc > b.event_ts_utc) AS converted
  FROM ev b WHERE b.event_type = 'browse')
SELECT d.device_type, count(*) AS browse_sessions,
       count(*) FILTER (WHERE converted) AS converted_sessions,
       count(*) FILTER (WHERE converted) / count(*) AS conversion_rate
FROM browses b JOIN devices d USING (device_id)
GROUP BY d.device_type
