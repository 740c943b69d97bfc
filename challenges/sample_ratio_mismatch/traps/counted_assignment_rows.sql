-- name: Counted assignment rows, so contaminated accounts sit in both arms
-- explanation: An account logged in both variants has two assignment rows; counting rows (or distinct accounts per variant) adds it to each arm. The arms grow by the same amount, which drags the observed split towards 50/50 and shrinks the chi-square: the check becomes less able to catch a broken randomiser, and the arm sizes you report do not match any real population.
WITH split AS (
  SELECT experiment_id,
         count(*) FILTER (WHERE variant = 'control') AS control_accounts,
         count(*) FILTER (WHERE variant = 'treatment') AS treatment_accounts,
         count(*) / 2 AS e
  FROM experiment_assignments
  GROUP BY experiment_id
)
SELECT experiment_id, control_accounts, treatment_accounts,
       (control_accounts - e) ^ 2 / e + (treatment_accounts - e) ^ 2 / e AS chi_square,
       (control_accounts - e) ^ 2 / e + (treatment_accounts - e) ^ 2 / e > 10.83 AS srm
FROM split
