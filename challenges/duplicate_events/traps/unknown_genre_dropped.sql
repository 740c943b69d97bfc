-- name: Watch time of untagged titles vanished
-- explanation: Titles without a genre have genre NULL. Filtering them out (or letting an inner join / WHERE genre = ... drop them) makes their watch hours disappear, so the genres add up to less than the total and new, untagged titles look unwatched.
WITH watch AS (SELECT DISTINCT ON (event_id) * FROM events WHERE event_type IN ('heartbeat', 'play_stop'))
SELECT t.genre, sum(w.watch_seconds) / 3600 AS watch_hours
FROM watch w JOIN accounts a USING (account_id) JOIN titles t USING (title_id), dataset_info d
WHERE NOT a.is_test AND t.genre IS NOT NULL
  AND w.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND w.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY 1
