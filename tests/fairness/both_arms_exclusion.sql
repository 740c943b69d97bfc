WITH asg AS (
  SELECT x.experiment_id, x.account_id, min(x.variant) AS variant,
         min(x.assigned_ts_utc) AS assigned
  FROM experiment_assignments x JOIN accounts a USING (account_id)
  WHERE NOT a.is_test
  GROUP BY 1, 2
  HAVING count(DISTINCT x.variant) = 1
), analysed AS (
  SELECT * FROM asg WHERE assigned + INTERVAL 7 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
), conv AS (
  SELECT s.experiment_id, s.account_id, s.variant,
         EXISTS (SELECT 1 FROM events e WHERE e.account_id = s.account_id AND e.event_type = 'play_start'
                 AND e.event_ts_utc >= s.assigned AND e.event_ts_utc < s.assigned + INTERVAL 7 DAY) AS converted
  FROM analysed s
)
SELECT experiment_id, variant, count(*) AS accounts, count(*) FILTER (WHERE converted) AS converted,
       count(*) FILTER (WHERE converted)::DOUBLE / nullif(count(*), 0) AS conversion_rate
FROM conv GROUP BY 1, 2
