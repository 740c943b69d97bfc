-- name: Counted only assigned accounts that appear in the event log
-- explanation: Starting from events keeps the accounts that did something after signup and loses the ones that never came back. If the treatment changes who comes back, that difference leaks into the split: the check confounds the treatment's effect with the randomiser's health and can hide or invent a mismatch.
WITH first_assignment AS (
  SELECT experiment_id, account_id, arg_min(variant, assigned_ts_utc) AS variant,
         min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments GROUP BY experiment_id, account_id
),
seen AS (
  SELECT DISTINCT f.experiment_id, f.account_id, f.variant
  FROM first_assignment f JOIN events ev ON ev.account_id = f.account_id
  WHERE ev.event_ts_utc >= f.assigned_ts
),
split AS (
  SELECT experiment_id,
         count(*) FILTER (WHERE variant = 'control') AS control_accounts,
         count(*) FILTER (WHERE variant = 'treatment') AS treatment_accounts,
         count(*) / 2 AS e
  FROM seen GROUP BY experiment_id
)
SELECT experiment_id, control_accounts, treatment_accounts,
       (control_accounts - e) ^ 2 / e + (treatment_accounts - e) ^ 2 / e AS chi_square,
       (control_accounts - e) ^ 2 / e + (treatment_accounts - e) ^ 2 / e > 10.83 AS srm
FROM split
