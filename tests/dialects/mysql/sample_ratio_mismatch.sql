-- MySQL has no arg_min() and no FILTER: the first assignment by row_number(), CASE counts.
WITH first_assignment AS (
  SELECT experiment_id, account_id, variant
  FROM (SELECT experiment_id, account_id, variant,
               row_number() OVER (PARTITION BY experiment_id, account_id ORDER BY assigned_ts_utc) AS n
        FROM experiment_assignments) AS ranked
  WHERE n = 1
),
split AS (
  SELECT experiment_id,
         count(CASE WHEN variant = 'control' THEN 1 END) AS control_accounts,
         count(CASE WHEN variant = 'treatment' THEN 1 END) AS treatment_accounts,
         count(*) / 2 AS e
  FROM first_assignment
  GROUP BY experiment_id
)
SELECT experiment_id, control_accounts, treatment_accounts,
       POW(control_accounts - e, 2) / e + POW(treatment_accounts - e, 2) / e AS chi_square,
       POW(control_accounts - e, 2) / e + POW(treatment_accounts - e, 2) / e > 10.83 AS srm
FROM split
