-- name: Measured the gap in minute boundaries crossed
-- explanation: date_diff('minute', a, b) counts how many minute boundaries lie between a and b, not elapsed minutes: 30:01 from 10:00:30 to 10:30:31 is 30, so a real break is merged into the previous session. Session counts come out too low and sessions too long, depending on the second at which events happen to fall.
WITH ev AS (
  SELECT DISTINCT ON (e.event_id) e.event_id, e.device_id, e.event_ts_utc
  FROM events e JOIN accounts a USING (account_id) WHERE NOT a.is_test
),
flagged AS (
  SELECT *,
    CASE WHEN lag(event_ts_utc) OVER w IS NULL OR date_diff('minute', lag(event_ts_utc) OVER w, event_ts_utc) > 30
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
