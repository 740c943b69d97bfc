-- MySQL has no FILTER clause: count a CASE instead.
WITH bounds AS (
  SELECT as_of_ts_utc - INTERVAL 28 DAY AS lo, as_of_ts_utc AS hi FROM dataset_info
),
scope AS (
  SELECT p.profile_id, a.plan
  FROM profiles p
  JOIN accounts a USING (account_id)
  CROSS JOIN bounds b
  WHERE NOT a.is_test AND p.created_ts_utc < b.lo
),
flagged AS (
  SELECT s.plan, NOT EXISTS (
           SELECT 1 FROM events e, bounds b
           WHERE e.profile_id = s.profile_id
             AND e.event_ts_utc >= b.lo AND e.event_ts_utc < b.hi) AS dormant
  FROM scope s
)
SELECT plan, count(*) AS profiles,
       count(CASE WHEN dormant THEN 1 END) AS dormant_profiles,
       count(CASE WHEN dormant THEN 1 END) / count(*) AS dormant_share
FROM flagged
GROUP BY plan
