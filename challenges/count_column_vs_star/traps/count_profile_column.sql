-- name: Counted profile_id instead of rows
-- explanation: COUNT(profile_id) skips every event whose profile_id is NULL, which are exactly the events sent before a profile is picked: app opens drop to zero and browse events shrink by a third, so the pre-profile part of the journey the redesign targets looks empty.
WITH ev AS (SELECT DISTINCT ON (event_id) * FROM events)
SELECT e.event_type,
       count(e.profile_id) AS events,
       count(*) FILTER (WHERE e.profile_id IS NULL) AS events_without_profile,
       count(*) FILTER (WHERE e.profile_id IS NULL) / count(e.profile_id) AS share_without_profile
FROM ev e JOIN accounts a USING (account_id), dataset_info d
WHERE NOT a.is_test
  AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND e.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY e.event_type
