-- name: Kept test and bot accounts
-- explanation: Test accounts carry extra profiles that their scripts keep busy, so they add almost only active profiles: the dormant share is diluted by accounts no customer owns.
WITH bounds AS (SELECT as_of_ts_utc - INTERVAL 28 DAY AS lo, as_of_ts_utc AS hi FROM dataset_info)
SELECT a.plan,
       count(*) AS profiles,
       count(*) FILTER (WHERE NOT EXISTS (
         SELECT 1 FROM events e WHERE e.profile_id = p.profile_id
           AND e.event_ts_utc >= b.lo AND e.event_ts_utc < b.hi)) AS dormant_profiles,
       count(*) FILTER (WHERE NOT EXISTS (
         SELECT 1 FROM events e WHERE e.profile_id = p.profile_id
           AND e.event_ts_utc >= b.lo AND e.event_ts_utc < b.hi)) / count(*) AS dormant_share
FROM profiles p JOIN accounts a USING (account_id) CROSS JOIN bounds b
WHERE p.created_ts_utc < b.lo
GROUP BY a.plan
