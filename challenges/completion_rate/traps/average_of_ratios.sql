-- name: Averaged per-viewing completion ratios
-- explanation: AVG(watched / runtime) gives every viewing the same weight: a 90-second sample of a 2-hour movie and an episode watched twice over count alike, so short titles with ratios above 100% dominate. The number no longer says what share of started runtime gets watched, and movies and episodes would be ranked on it wrongly.
WITH watch AS (SELECT DISTINCT ON (event_id) * FROM events WHERE event_type IN ('heartbeat', 'play_stop')),
viewings AS (
  SELECT w.session_id, w.title_id, sum(w.watch_seconds) AS watched_s
  FROM watch w JOIN accounts a USING (account_id), dataset_info d
  WHERE NOT a.is_test
    AND w.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 28 DAY AND w.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY 1, 2
)
SELECT t.title_type, count(*) AS viewings, sum(v.watched_s) / 3600 AS watched_hours,
       avg(v.watched_s / (t.runtime_min * 60)) AS completion_rate
FROM viewings v JOIN titles t USING (title_id)
GROUP BY t.title_type
