-- name: Started a new session on a gap of exactly 30 minutes
-- explanation: The rule is "more than 30 minutes"; with >= a pause of exactly 30:00 between titles splits one visit into two sessions. Clients often time out on round numbers, so the error is systematic: session counts are inflated and session length deflated, and an engagement test that shifts pause lengths moves the metric for the wrong reason.
WITH ev AS (
  SELECT DISTINCT ON (e.event_id) e.event_id, e.device_id, e.event_ts_utc
  FROM events e JOIN accounts a USING (account_id) WHERE NOT a.is_test
),
flagged AS (
  SELECT *,
    CASE WHEN lag(event_ts_utc) OVER w IS NULL OR event_ts_utc - lag(event_ts_utc) OVER w >= INTERVAL 30 MINUTE
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
