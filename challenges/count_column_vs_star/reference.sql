WITH ev AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, profile_id, event_type, event_ts_utc
  FROM events
),
bounds AS (
  SELECT as_of_ts_utc::DATE - INTERVAL 7 DAY AS lo, as_of_ts_utc::DATE AS hi FROM dataset_info
)
SELECT e.event_type,
       count(*) AS events,
       count(*) FILTER (WHERE e.profile_id IS NULL) AS events_without_profile,
       count(*) FILTER (WHERE e.profile_id IS NULL) / count(*) AS share_without_profile
FROM ev e
JOIN accounts a USING (account_id)
CROSS JOIN bounds b
WHERE NOT a.is_test AND e.event_ts_utc >= b.lo AND e.event_ts_utc < b.hi
GROUP BY e.event_type
