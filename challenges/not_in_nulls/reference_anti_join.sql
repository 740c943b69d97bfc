-- Anti-join: the set of active profiles, LEFT JOINed and tested for IS NULL.
WITH active AS (
  SELECT DISTINCT e.profile_id
  FROM events e, dataset_info d
  WHERE e.profile_id IS NOT NULL
    AND e.event_ts_utc >= d.as_of_ts_utc - INTERVAL '28 days'
    AND e.event_ts_utc < d.as_of_ts_utc
)
SELECT a.plan,
       count(*) AS profiles,
       sum(CASE WHEN act.profile_id IS NULL THEN 1 ELSE 0 END) AS dormant_profiles,
       avg(CASE WHEN act.profile_id IS NULL THEN 1.0 ELSE 0.0 END) AS dormant_share
FROM profiles p
JOIN accounts a ON a.account_id = p.account_id
LEFT JOIN active act ON act.profile_id = p.profile_id
WHERE a.is_test = false
  AND p.created_ts_utc < (SELECT as_of_ts_utc - INTERVAL '28 days' FROM dataset_info)
GROUP BY a.plan
