-- MySQL has no DISTINCT ON, FILTER or any_value(): row_number(), CASE and min() instead.
WITH ev AS (
  SELECT event_id, session_id, device_id, event_type, event_ts_utc
  FROM (SELECT e.event_id, e.session_id, e.device_id, e.event_type, e.event_ts_utc,
               row_number() OVER (PARTITION BY e.event_id) AS copy_no
        FROM events e JOIN accounts a USING (account_id)
        WHERE NOT a.is_test) AS copies
  WHERE copy_no = 1
),
per_session AS (
  SELECT session_id, min(device_id) AS device_id,
         min(CASE WHEN event_type = 'browse' THEN event_ts_utc END) AS first_browse,
         max(CASE WHEN event_type = 'play_start' THEN event_ts_utc END) AS last_play
  FROM ev
  GROUP BY session_id
)
SELECT d.device_type,
       count(*) AS browse_sessions,
       count(CASE WHEN p.last_play > p.first_browse THEN 1 END) AS converted_sessions,
       count(CASE WHEN p.last_play > p.first_browse THEN 1 END) / count(*) AS conversion_rate
FROM per_session p
JOIN devices d USING (device_id)
WHERE p.first_browse IS NOT NULL
GROUP BY d.device_type
