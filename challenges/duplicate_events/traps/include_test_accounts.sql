-- name: Kept test and bot accounts
-- explanation: QA and bot accounts stream around the clock; their hours are not customer viewing and inflate whichever genres the test scripts happen to play.
WITH watch AS (SELECT DISTINCT ON (event_id) * FROM events WHERE event_type IN ('heartbeat', 'play_stop'))
SELECT coalesce(t.genre, 'unknown') AS genre, sum(w.watch_seconds) / 3600 AS watch_hours
FROM watch w JOIN titles t USING (title_id), dataset_info d
WHERE w.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND w.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY 1
