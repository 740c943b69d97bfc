-- name: NOT IN over profile_id, which holds NULLs
-- explanation: Events sent before a profile is selected carry a NULL profile_id, so the NOT IN list contains NULL and `x NOT IN (..., NULL)` is never TRUE: the query reports zero dormant profiles. The team would conclude every profile is in use and skip the re-engagement or profile-limit work the real number calls for.
SELECT a.plan,
       count(*) AS profiles,
       count(*) FILTER (WHERE p.profile_id NOT IN (
         SELECT e.profile_id FROM events e, dataset_info d
         WHERE e.event_ts_utc >= d.as_of_ts_utc - INTERVAL 28 DAY
           AND e.event_ts_utc < d.as_of_ts_utc)) AS dormant_profiles,
       count(*) FILTER (WHERE p.profile_id NOT IN (
         SELECT e.profile_id FROM events e, dataset_info d
         WHERE e.event_ts_utc >= d.as_of_ts_utc - INTERVAL 28 DAY
           AND e.event_ts_utc < d.as_of_ts_utc)) / count(*) AS dormant_share
FROM profiles p JOIN accounts a USING (account_id), dataset_info d
WHERE NOT a.is_test AND p.created_ts_utc < d.as_of_ts_utc - INTERVAL 28 DAY
GROUP BY a.plan
