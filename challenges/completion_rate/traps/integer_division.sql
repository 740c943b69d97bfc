-- name: Integer division truncated the rate
-- explanation: `//` is integer division: a completion rate of 0.4 becomes 0, and only title types watched past their full runtime show 1. The report says nobody finishes anything, or hides any difference between movies and episodes.
WITH watch AS (SELECT DISTINCT ON (event_id) * FROM events WHERE event_type IN ('heartbeat', 'play_stop')),
viewings AS (
  SELECT w.session_id, w.title_id, sum(w.watch_seconds) AS watched_s
  FROM watch w JOIN accounts a USING (account_id), dataset_info d
  WHERE NOT a.is_test
    AND w.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 28 DAY AND w.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY 1, 2
)
SELECT t.title_type, count(*) AS viewings, sum(v.watched_s) / 3600 AS watched_hours,
       sum(v.watched_s) // sum(t.runtime_min * 60) AS completion_rate
FROM viewings v JOIN titles t USING (title_id)
GROUP BY t.title_type
