-- name: Inner join to activity lost profiles that never did anything
-- explanation: Computing each profile's last event with an inner join to events keeps only profiles that produced at least one event. Profiles that were created and never used, the most dormant of all, vanish from both the count and the denominator, so dormancy looks far lower than it is.
WITH last_seen AS (
  SELECT profile_id, max(event_ts_utc) AS last_ts
  FROM events e, dataset_info d
  WHERE e.event_ts_utc < d.as_of_ts_utc
  GROUP BY profile_id
)
SELECT a.plan,
       count(*) AS profiles,
       count(*) FILTER (WHERE l.last_ts < d.as_of_ts_utc - INTERVAL 28 DAY) AS dormant_profiles,
       count(*) FILTER (WHERE l.last_ts < d.as_of_ts_utc - INTERVAL 28 DAY) / count(*) AS dormant_share
FROM profiles p
JOIN accounts a USING (account_id)
JOIN last_seen l USING (profile_id), dataset_info d
WHERE NOT a.is_test AND p.created_ts_utc < d.as_of_ts_utc - INTERVAL 28 DAY
GROUP BY a.plan
