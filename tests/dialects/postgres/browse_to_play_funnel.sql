-- any_value() is PostgreSQL 16+; a session has one device, so min() picks it.
WITH ev AS (
  SELECT DISTINCT ON (e.event_id) e.event_id, e.session_id, e.device_id, e.event_type, e.event_ts_utc
  FROM events e JOIN accounts a USING (account_id)
  WHERE NOT a.is_test
),
per_session AS (
  SELECT session_id, min(device_id) AS device_id,
         min(event_ts_utc) FILTER (WHERE event_type = 'browse') AS first_browse,
         max(event_ts_utc) FILTER (WHERE event_type = 'play_start') AS last_play
  FROM ev
  GROUP BY session_id
)
SELECT d.device_type,
       count(*) AS browse_sessions,
       count(*) FILTER (WHERE p.last_play > p.first_browse) AS converted_sessions,
       avg(CASE WHEN p.last_play > p.first_browse THEN 1 ELSE 0 END) AS conversion_rate
FROM per_session p
JOIN devices d USING (device_id)
WHERE p.first_browse IS NOT NULL
GROUP BY d.device_type
