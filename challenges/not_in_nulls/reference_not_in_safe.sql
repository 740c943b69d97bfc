-- NOT IN is safe once the NULLs are filtered out of the list.
SELECT a.plan,
       count(*) AS profiles,
       count(*) FILTER (WHERE p.profile_id NOT IN (
         SELECT e.profile_id FROM events e, dataset_info d
         WHERE e.profile_id IS NOT NULL
           AND e.event_ts_utc >= d.as_of_ts_utc - INTERVAL 28 DAY
           AND e.event_ts_utc < d.as_of_ts_utc)) AS dormant_profiles,
       count(*) FILTER (WHERE p.profile_id NOT IN (
         SELECT e.profile_id FROM events e, dataset_info d
         WHERE e.profile_id IS NOT NULL
           AND e.event_ts_utc >= d.as_of_ts_utc - INTERVAL 28 DAY
           AND e.event_ts_utc < d.as_of_ts_utc)) / count(*) AS dormant_share
FROM profiles p JOIN accounts a USING (account_id), dataset_info d
WHERE NOT a.is_test AND p.created_ts_utc < d.as_of_ts_utc - INTERVAL 28 DAY
GROUP BY a.plan
