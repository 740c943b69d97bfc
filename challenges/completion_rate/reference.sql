WITH watch AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, session_id, title_id, event_ts_utc, watch_seconds
  FROM events
  WHERE event_type IN ('heartbeat', 'play_stop')
),
viewings AS (
  SELECT w.session_id, w.title_id, sum(w.watch_seconds) AS watched_s
  FROM watch w
  JOIN accounts a USING (account_id)
  CROSS JOIN dataset_info d
  WHERE NOT a.is_test
    AND w.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 28 DAY
    AND w.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY w.session_id, w.title_id
)
SELECT t.title_type,
       count(*) AS viewings,
       sum(v.watched_s) / 3600 AS watched_hours,
       sum(v.watched_s) / sum(t.runtime_min * 60) AS completion_rate
FROM viewings v
JOIN titles t USING (title_id)
GROUP BY t.title_type
