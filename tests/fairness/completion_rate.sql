WITH p AS (SELECT CAST(as_of_ts_utc AS DATE) AS d FROM dataset_info),
w AS (
  SELECT DISTINCT e.event_id, e.session_id, e.title_id, e.watch_seconds
  FROM events e JOIN accounts a USING (account_id), p
  WHERE NOT a.is_test AND e.event_type IN ('heartbeat', 'play_stop')
    AND e.event_ts_utc >= p.d - INTERVAL 28 DAY AND e.event_ts_utc < p.d
), v AS (
  SELECT session_id, title_id, sum(watch_seconds) AS watched FROM w GROUP BY 1, 2
)
SELECT t.title_type, count(*) AS viewings, sum(v.watched) / 3600.0 AS watched_hours,
       sum(v.watched)::DOUBLE / nullif(sum(t.runtime_min * 60), 0) AS completion_rate
FROM v JOIN titles t USING (title_id) GROUP BY 1
