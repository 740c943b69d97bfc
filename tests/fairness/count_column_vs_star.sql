WITH p AS (SELECT CAST(as_of_ts_utc AS DATE) AS d FROM dataset_info),
ev AS (
  SELECT DISTINCT e.event_id, e.event_type, e.profile_id
  FROM events e JOIN accounts a USING (account_id), p
  WHERE NOT a.is_test AND e.event_ts_utc >= p.d - INTERVAL 7 DAY AND e.event_ts_utc < p.d
)
SELECT event_type, count(*) AS events, count(*) FILTER (WHERE profile_id IS NULL) AS events_without_profile,
       (count(*) FILTER (WHERE profile_id IS NULL))::DOUBLE / nullif(count(*), 0) AS share_without_profile
FROM ev GROUP BY 1
