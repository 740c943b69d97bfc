WITH p AS (SELECT CAST(as_of_ts_utc AS DATE) AS d FROM dataset_info),
w AS (
  SELECT DISTINCT e.event_id, e.account_id, e.event_ts_utc, e.watch_seconds
  FROM events e JOIN accounts a USING (account_id), p
  WHERE NOT a.is_test AND e.event_type IN ('heartbeat', 'play_stop')
    AND e.event_ts_utc >= p.d - INTERVAL 7 DAY AND e.event_ts_utc < p.d
), m AS (
  SELECT CAST(event_ts_utc AS DATE) AS day, account_id, sum(watch_seconds) / 60.0 AS minutes
  FROM w GROUP BY 1, 2
)
SELECT day, count(*) AS active_members, median(minutes) AS median_watch_minutes FROM m GROUP BY 1 ORDER BY 1
