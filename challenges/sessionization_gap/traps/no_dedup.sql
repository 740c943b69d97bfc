-- name: Counted re-delivered events again
-- explanation: A retried event has the same event_id and event time, so it never changes where sessions start, but every copy is counted again in the session's events. Events per session are inflated, most on devices with flaky connections, so mobile sessions look richer than they are.
WITH ev AS (
  SELECT e.event_id, e.device_id, e.event_ts_utc
  FROM events e JOIN accounts a USING (account_id) WHERE NOT a.is_test
),
flagged AS (
  SELECT *,
    CASE WHEN lag(event_ts_utc) OVER w IS NULL OR event_ts_utc - lag(event_ts_utc) OVER w > INTERVAL 30 MINUTE
         THEN 1 ELSE 0 END AS new_session
  FROM ev
  WINDOW w AS (PARTITION BY device_id ORDER BY event_ts_utc)
),
numbered AS (
  SELECT *, sum(new_session) OVER (PARTITION BY device_id ORDER BY event_ts_utc) AS session_no
  FROM flagged
),
sessions AS (
  SELECT device_id, session_no, min(event_ts_utc) AS started, count(*) AS n_events
  FROM numbered GROUP BY device_id, session_no
)
SELECT started::DATE AS session_date, count(*) AS sessions, sum(n_events) AS events
FROM sessions GROUP BY 1 ORDER BY 1
