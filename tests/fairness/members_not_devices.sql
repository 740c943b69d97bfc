WITH p AS (SELECT CAST(as_of_ts_utc AS DATE) AS d FROM dataset_info)
SELECT CAST(e.event_ts_utc AS DATE) AS day, count(DISTINCT e.account_id) AS viewers
FROM events e JOIN accounts a USING (account_id), p
WHERE NOT a.is_test AND e.event_type = 'play_start'
  AND e.event_ts_utc >= p.d - INTERVAL 7 DAY AND e.event_ts_utc < p.d
GROUP BY 1
