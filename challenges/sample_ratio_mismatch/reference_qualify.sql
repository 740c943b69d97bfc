-- Earliest row per account with QUALIFY; (c - t)^2 / n is the same statistic.
WITH first_rows AS (
  SELECT experiment_id, account_id, variant
  FROM experiment_assignments
  QUALIFY row_number() OVER (PARTITION BY experiment_id, account_id
                             ORDER BY assigned_ts_utc) = 1
),
split AS (
  SELECT experiment_id,
         sum(CASE WHEN variant = 'control' THEN 1 ELSE 0 END) AS control_accounts,
         sum(CASE WHEN variant = 'treatment' THEN 1 ELSE 0 END) AS treatment_accounts
  FROM first_rows GROUP BY experiment_id
)
SELECT experiment_id, control_accounts, treatment_accounts,
       power(control_accounts - treatment_accounts, 2) / (control_accounts + treatment_accounts)
         AS chi_square,
       power(control_accounts - treatment_accounts, 2) / (control_accounts + treatment_accounts)
         > 10.83 AS srm
FROM split
