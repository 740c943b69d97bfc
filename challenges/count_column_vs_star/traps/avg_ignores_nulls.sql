-- name: AVG of a flag without ELSE 0 ignored the other rows
-- explanation: AVG(CASE WHEN profile_id IS NULL THEN 1 END) averages only the rows where the CASE gives 1 (the others are NULL and AVG skips them), so the share is 100% for any type that has a single pre-profile event and NULL for the rest: it says every browse happens before profile selection.
WITH ev AS (SELECT DISTINCT ON (event_id) * FROM events)
SELECT e.event_type,
       count(*) AS events,
       count(*) FILTER (WHERE e.profile_id IS NULL) AS events_without_profile,
       avg(CASE WHEN e.profile_id IS NULL THEN 1 END) AS share_without_profile
FROM ev e JOIN accounts a USING (account_id), dataset_info d
WHERE NOT a.is_test
  AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND e.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY e.event_type
