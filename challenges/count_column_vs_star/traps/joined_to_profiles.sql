-- name: Inner join to profiles dropped the events without a profile
-- explanation: Joining events to profiles (to get profile attributes) keeps only events whose profile_id matches a profile; NULL never matches, so app opens disappear from the report and no event type shows any pre-profile traffic at all.
WITH ev AS (SELECT DISTINCT ON (event_id) * FROM events)
SELECT e.event_type,
       count(*) AS events,
       count(*) FILTER (WHERE e.profile_id IS NULL) AS events_without_profile,
       count(*) FILTER (WHERE e.profile_id IS NULL) / count(*) AS share_without_profile
FROM ev e JOIN profiles p USING (profile_id) JOIN accounts a ON a.account_id = e.account_id, dataset_info d
WHERE NOT a.is_test
  AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND e.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY e.event_type
