-- MySQL has no DISTINCT ON (row_number() keeps one copy) and no FILTER clause.
WITH ev AS (
  SELECT event_id, account_id, profile_id, event_type, event_ts_utc
  FROM (SELECT event_id, account_id, profile_id, event_type, event_ts_utc,
               row_number() OVER (PARTITION BY event_id) AS copy_no
        FROM events) AS copies
  WHERE copy_no = 1
),
bounds AS (
  SELECT DATE(as_of_ts_utc) - INTERVAL 7 DAY AS lo, DATE(as_of_ts_utc) AS hi FROM dataset_info
)
SELECT e.event_type,
       count(*) AS events,
       count(*) - count(e.profile_id) AS events_without_profile,
       (count(*) - count(e.profile_id)) / count(*) AS share_without_profile
FROM ev e
JOIN accounts a USING (account_id)
CROSS JOIN bounds b
WHERE NOT a.is_test AND e.event_ts_utc >= b.lo AND e.event_ts_utc < b.hi
GROUP BY e.event_type
