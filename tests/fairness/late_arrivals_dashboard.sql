WITH p AS (
  SELECT e.event_id, any_value(e.device_id) AS device_id, min(e.received_ts_utc) AS first_received
  FROM events e JOIN accounts a USING (account_id) JOIN titles t USING (title_id)
  WHERE NOT a.is_test AND t.title = 'The Last Lighthouse' AND e.event_type = 'play_start'
    AND e.event_ts_utc >= TIMESTAMP '2026-04-17 07:00:00' AND e.event_ts_utc < TIMESTAMP '2026-04-17 18:00:00'
  GROUP BY e.event_id
)
SELECT d.device_type,
       count(*) FILTER (WHERE first_received <= TIMESTAMP '2026-04-17 18:00:00') AS plays_shown,
       count(*) AS plays_final,
       (count(*) - count(*) FILTER (WHERE first_received <= TIMESTAMP '2026-04-17 18:00:00'))::DOUBLE
         / nullif(count(*), 0) AS late_share
FROM p JOIN devices d USING (device_id) GROUP BY 1
