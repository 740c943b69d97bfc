-- Compare dates with dates: BETWEEN is safe once both sides are DATEs.
SELECT CAST(e.event_ts_utc AS DATE) AS day, count(DISTINCT e.event_id) AS plays
FROM events e
WHERE e.event_type = 'play_start'
  AND e.account_id IN (SELECT account_id FROM accounts WHERE NOT is_test)
  AND CAST(e.event_ts_utc AS DATE) BETWEEN DATE '2026-04-20' AND DATE '2026-04-26'
GROUP BY 1
