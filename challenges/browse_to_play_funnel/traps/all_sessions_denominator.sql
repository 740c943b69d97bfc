-- name: Divided by every session, including those that never browsed
-- explanation: Sessions that went straight to a title (continue watching, a deep link, a premiere push) never entered the browse funnel. Putting them in the denominator turns conversion into "share of sessions that browsed and then played", which falls whenever more members skip browsing, even if browsing converts better than ever.
WITH ev AS (
  SELECT DISTINCT ON (e.event_id) e.event_id, e.session_id, e.device_id, e.event_type, e.event_ts_utc
  FROM events e JOIN accounts a USING (account_id) WHERE NOT a.is_test),
per_session AS (
  SELECT session_id, any_value(device_id) AS device_id,
         min(event_ts_utc) FILTER (WHERE event_type = 'browse') AS first_browse,
         max(event_ts_utc) FILTER (WHERE event_type = 'play_start') AS last_play
  FROM ev GROUP BY session_id)
SELECT d.device_type, count(*) AS browse_sessions,
       count(*) FILTER (WHERE p.last_play > p.first_browse) AS converted_sessions,
       count(*) FILTER (WHERE p.last_play > p.first_browse) / count(*) AS conversion_rate
FROM per_session p JOIN devices d USING (device_id)
GROUP BY d.device_type
