-- MySQL has no DISTINCT ON (row_number() keeps one copy); sqlglot cannot write the
-- reference's ORDER BY 1 for MySQL.
WITH ev AS (
  SELECT event_id, device_id, event_ts_utc
  FROM (SELECT e.event_id, e.device_id, e.event_ts_utc,
               row_number() OVER (PARTITION BY e.event_id) AS copy_no
        FROM events e JOIN accounts a USING (account_id)
        WHERE NOT a.is_test) AS copies
  WHERE copy_no = 1
),
flagged AS (
  SELECT device_id, event_ts_utc,
    CASE WHEN lag(event_ts_utc) OVER w IS NULL
           OR event_ts_utc > lag(event_ts_utc) OVER w + INTERVAL 30 MINUTE
         THEN 1 ELSE 0 END AS new_session
  FROM ev
  WINDOW w AS (PARTITION BY device_id ORDER BY event_ts_utc)
),
numbered AS (
  SELECT device_id, event_ts_utc,
         sum(new_session) OVER (PARTITION BY device_id ORDER BY event_ts_utc) AS session_no
  FROM flagged
),
sessions AS (
  SELECT device_id, session_no, min(event_ts_utc) AS started, count(*) AS n_events
  FROM numbered
  GROUP BY device_id, session_no
)
SELECT DATE(started) AS session_date, count(*) AS sessions, sum(n_events) AS events
FROM sessions
GROUP BY DATE(started)
ORDER BY session_date
