-- Each session's start is an event with no event of the same device in the 30 minutes before it;
-- each event belongs to the latest start at or before it.
WITH ev AS (
  SELECT event_id, any_value(device_id) AS device_id, any_value(event_ts_utc) AS ts
  FROM events
  WHERE account_id NOT IN (SELECT account_id FROM accounts WHERE is_test)
  GROUP BY event_id
),
gaps AS (
  SELECT event_id, device_id, ts,
         date_diff('second', lag(ts) OVER (PARTITION BY device_id ORDER BY ts), ts) AS gap_s
  FROM ev
),
starts AS (
  SELECT device_id, ts AS started FROM gaps WHERE gap_s IS NULL OR gap_s > 1800
  GROUP BY device_id, ts
),
assigned AS (
  SELECT g.event_id, g.device_id, max(s.started) AS started
  FROM gaps g JOIN starts s ON s.device_id = g.device_id AND s.started <= g.ts
  GROUP BY g.event_id, g.device_id
),
per_day AS (
  SELECT CAST(started AS DATE) AS session_date, count(*) AS events FROM assigned GROUP BY 1
)
SELECT CAST(s.started AS DATE) AS session_date, count(*) AS sessions, any_value(p.events) AS events
FROM starts s JOIN per_day p ON p.session_date = CAST(s.started AS DATE)
GROUP BY 1
ORDER BY 1
