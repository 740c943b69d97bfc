WITH asg AS (
  SELECT x.account_id, min(x.variant) AS variant, min(x.assigned_ts_utc) AS assigned
  FROM experiment_assignments x JOIN accounts a USING (account_id)
  WHERE x.experiment_id = 'home_row_v2' AND NOT a.is_test
  GROUP BY 1 HAVING count(DISTINCT x.variant) = 1
), an AS (
  SELECT asg.*, (SELECT arg_min(d.device_type, d.first_seen_ts_utc) FROM devices d
                 WHERE d.account_id = asg.account_id) AS primary_device_type
  FROM asg WHERE assigned + INTERVAL 14 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
), per AS (
  SELECT an.*, (SELECT count(DISTINCT e.event_id) FROM events e WHERE e.account_id = an.account_id
                  AND e.event_type = 'play_start' AND e.event_ts_utc >= an.assigned
                  AND e.event_ts_utc < an.assigned + INTERVAL 14 DAY) AS plays
  FROM an
)
SELECT coalesce(primary_device_type, 'all') AS primary_device_type, variant, count(*) AS accounts,
       sum(plays) AS plays, sum(plays)::DOUBLE / nullif(count(*), 0) AS plays_per_account
FROM per GROUP BY GROUPING SETS ((primary_device_type, variant), (variant))
