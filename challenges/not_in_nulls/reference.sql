WITH bounds AS (
  SELECT as_of_ts_utc - INTERVAL 28 DAY AS lo, as_of_ts_utc AS hi FROM dataset_info
),
scope AS (
  SELECT p.profile_id, a.plan
  FROM profiles p
  JOIN accounts a USING (account_id)
  CROSS JOIN bounds b
  WHERE NOT a.is_test AND p.created_ts_utc < b.lo
)
SELECT s.plan,
       count(*) AS profiles,
       count(*) FILTER (WHERE NOT EXISTS (
         SELECT 1 FROM events e, bounds b
         WHERE e.profile_id = s.profile_id
           AND e.event_ts_utc >= b.lo AND e.event_ts_utc < b.hi
       )) AS dormant_profiles,
       count(*) FILTER (WHERE NOT EXISTS (
         SELECT 1 FROM events e, bounds b
         WHERE e.profile_id = s.profile_id
           AND e.event_ts_utc >= b.lo AND e.event_ts_utc < b.hi
       )) / count(*) AS dormant_share
FROM scope s
GROUP BY s.plan
