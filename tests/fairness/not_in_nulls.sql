WITH i AS (SELECT as_of_ts_utc AS as_of FROM dataset_info),
p AS (
  SELECT pr.profile_id, a.plan
  FROM profiles pr JOIN accounts a USING (account_id), i
  WHERE NOT a.is_test AND pr.created_ts_utc < i.as_of - INTERVAL 28 DAY
), active AS (
  SELECT DISTINCT e.profile_id FROM events e, i
  WHERE e.profile_id IS NOT NULL AND e.event_ts_utc >= i.as_of - INTERVAL 28 DAY AND e.event_ts_utc < i.as_of
)
SELECT p.plan, count(*) AS profiles, count(*) FILTER (WHERE act.profile_id IS NULL) AS dormant_profiles,
       (count(*) FILTER (WHERE act.profile_id IS NULL))::DOUBLE / nullif(count(*), 0) AS dormant_share
FROM p LEFT JOIN active act USING (profile_id) GROUP BY 1
