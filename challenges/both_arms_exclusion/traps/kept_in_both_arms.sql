-- name: Kept the accounts seen in both variants, in both arms
-- explanation: Every assignment row was treated as its own participant, so each contaminated account is counted once in control and once in treatment, each time with its own window. They were exposed to both experiences, so they pull the two arms towards each other and dilute a real difference; the effect you ship on looks smaller (or larger) than it is, and the contamination itself goes unreported.
WITH analysed AS (
  SELECT ea.experiment_id, ea.account_id, ea.variant, ea.assigned_ts_utc AS assigned_ts
  FROM experiment_assignments ea JOIN accounts a USING (account_id)
  WHERE NOT a.is_test
    AND ea.assigned_ts_utc + INTERVAL 7 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
),
converted AS (
  SELECT DISTINCT x.experiment_id, x.variant, x.account_id
  FROM analysed x JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts AND e.event_ts_utc < x.assigned_ts + INTERVAL 7 DAY
)
SELECT x.experiment_id, x.variant, count(*) AS accounts, count(c.account_id) AS converted,
       count(c.account_id) / count(*) AS conversion_rate
FROM analysed x LEFT JOIN converted c USING (experiment_id, variant, account_id)
GROUP BY x.experiment_id, x.variant
