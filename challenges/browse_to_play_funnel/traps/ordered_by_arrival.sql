-- name: Ordered the steps by arrival time (received_ts_utc)
-- explanation: received_ts_utc is when the pipeline got the event. Network latency, retries and offline sync reorder events, so a play_start can arrive before the browse that preceded it and the conversion is lost. The loss grows with latency, so slow mobile networks look like a worse browse experience and a redesign would target the wrong devices.
WITH ev AS (
  SELECT e.session_id, e.device_id, e.event_type, e.received_ts_utc
  FROM events e JOIN accounts a USING (account_id)
  WHERE NOT a.is_test
  QUALIFY row_number() OVER (PARTITION BY e.event_id ORDER BY e.received_ts_utc) = 1),
per_session AS (
  SELECT session_id, any_value(device_id) AS device_id,
         min(received_ts_utc) FILTER (WHERE event_type = 'browse') AS first_browse,
         max(received_ts_utc) FILTER (WHERE event_type = 'play_start') AS last_play
  FROM ev GROUP BY session_id)
SELECT d.device_type, count(*) AS browse_sessions,
       count(*) FILTER (WHERE p.last_play > p.first_browse) AS converted_sessions,
       count(*) FILTER (WHERE p.last_play > p.first_browse) / count(*) AS conversion_rate
FROM per_session p JOIN devices d USING (device_id)
WHERE p.first_browse IS NOT NULL
GROUP BY d.device_type
