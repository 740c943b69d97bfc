-- name: Counted events per variant instead of accounts
-- explanation: Joining assignments to events and counting rows measures activity, not assignment: a treatment that lifts engagement (or one heavy account) produces a huge "mismatch" on a perfectly balanced split, and the chi-square on tens of thousands of correlated events flags experiments whose split is fine. A false alarm that would stop good experiments and teach the team to ignore the check.
WITH first_assignment AS (
  SELECT experiment_id, account_id, arg_min(variant, assigned_ts_utc) AS variant
  FROM experiment_assignments GROUP BY experiment_id, account_id
),
split AS (
  SELECT f.experiment_id,
         count(*) FILTER (WHERE f.variant = 'control') AS control_accounts,
         count(*) FILTER (WHERE f.variant = 'treatment') AS treatment_accounts,
         count(*) / 2 AS e
  FROM first_assignment f JOIN events ev ON ev.account_id = f.account_id
  GROUP BY f.experiment_id
)
SELECT experiment_id, control_accounts, treatment_accounts,
       (control_accounts - e) ^ 2 / e + (treatment_accounts - e) ^ 2 / e AS chi_square,
       (control_accounts - e) ^ 2 / e + (treatment_accounts - e) ^ 2 / e > 10.83 AS srm
FROM split
