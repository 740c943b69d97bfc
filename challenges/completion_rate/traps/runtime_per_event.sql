-- name: Counted the runtime once per heartbeat, not once per viewing
-- explanation: Joining titles to the watch events and summing runtime per event adds a title's full runtime for every heartbeat, so the denominator grows with how long people watch and the rate collapses toward a few percent. Long viewings are penalised the most, the opposite of what completion should show.
WITH watch AS (SELECT DISTINCT ON (event_id) * FROM events WHERE event_type IN ('heartbeat', 'play_stop'))
SELECT t.title_type, count(DISTINCT (w.session_id, w.title_id)) AS viewings,
       sum(w.watch_seconds) / 3600 AS watched_hours,
       sum(w.watch_seconds) / sum(t.runtime_min * 60) AS completion_rate
FROM watch w JOIN accounts a USING (account_id) JOIN titles t USING (title_id), dataset_info d
WHERE NOT a.is_test
  AND w.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 28 DAY AND w.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY t.title_type
