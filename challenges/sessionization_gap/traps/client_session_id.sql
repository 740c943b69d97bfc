-- name: Trusted the client's session_id instead of the 30-minute rule
-- explanation: The app keeps its session_id while it stays open, across pauses of an hour or more between titles. Counting session_ids merges what the inactivity rule calls separate visits, so sessions are undercounted and look longer, and the number is not comparable with any platform that sessionizes by inactivity.
WITH ev AS (
  SELECT DISTINCT ON (e.event_id) e.event_id, e.session_id, e.event_ts_utc
  FROM events e JOIN accounts a USING (account_id) WHERE NOT a.is_test
),
sessions AS (
  SELECT session_id, min(event_ts_utc) AS started, count(*) AS n_events FROM ev GROUP BY session_id
)
SELECT started::DATE AS session_date, count(*) AS sessions, sum(n_events) AS events
FROM sessions GROUP BY 1 ORDER BY 1
