-- property: a few percent of events are re-delivered; a copy equals the original except received_ts_utc
-- why: SUM/COUNT over events without deduplicating event_id double-counts
WITH per_id AS (
  SELECT event_id, count(*) AS copies,
         count(DISTINCT (account_id, profile_id, device_id, session_id, event_type, title_id,
                         event_ts_utc, client_tz, watch_seconds)) AS versions,
         count(DISTINCT received_ts_utc) AS receipts
  FROM events GROUP BY 1)
SELECT 'share of duplicated rows out of range' AS problem, sum(copies - 1) / sum(copies) AS value
FROM per_id HAVING sum(copies - 1) / sum(copies) NOT BETWEEN 0.01 AND 0.25
UNION ALL
SELECT 'a copy differs in more than received_ts_utc', count(*) FROM per_id
WHERE versions > 1 HAVING count(*) > 0
UNION ALL
SELECT 'copies share a received_ts_utc', count(*) FROM per_id
WHERE receipts < copies HAVING count(*) > 0
UNION ALL
SELECT 'no retry bursts (an event_id delivered 3+ times)', count(*) FROM per_id
WHERE copies >= 3 HAVING count(*) = 0
