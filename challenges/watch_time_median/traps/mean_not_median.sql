-- name: Reported the mean, not the median
-- explanation: Daily watch time is heavy-tailed: a few members binge for hours. AVG is pulled far above what most members watch, so "the typical member watches X minutes" overstates engagement and swings with a handful of binge-watchers rather than with the majority.
WITH watch AS (SELECT DISTINCT ON (event_id) * FROM events WHERE event_type IN ('heartbeat', 'play_stop')),
member_days AS (
  SELECT w.account_id, w.event_ts_utc::DATE AS day, sum(w.watch_seconds) / 60 AS minutes
  FROM watch w JOIN accounts a USING (account_id), dataset_info d
  WHERE NOT a.is_test
    AND w.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND w.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY 1, 2
)
SELECT day, count(*) AS active_members, avg(minutes) AS median_watch_minutes
FROM member_days GROUP BY day ORDER BY day
