WITH firsts AS (
  SELECT experiment_id, account_id, arg_min(variant, assigned_ts_utc) AS variant
  FROM experiment_assignments GROUP BY 1, 2
), c AS (
  SELECT experiment_id, count(*) FILTER (WHERE variant = 'control') AS control_accounts,
         count(*) FILTER (WHERE variant = 'treatment') AS treatment_accounts
  FROM firsts GROUP BY 1
), x AS (
  SELECT *, (control_accounts + treatment_accounts) / 2.0 AS e FROM c
)
SELECT experiment_id, control_accounts, treatment_accounts,
       (control_accounts - e) ^ 2 / e + (treatment_accounts - e) ^ 2 / e AS chi_square,
       (control_accounts - e) ^ 2 / e + (treatment_accounts - e) ^ 2 / e > 10.83 AS srm
FROM x
