-- arg_min() is DuckDB's; PostgreSQL takes the first of an ordered array_agg.
-- count(*) / 2.0 and ^ are numeric in PostgreSQL.
WITH first_assignment AS (
  SELECT experiment_id, account_id,
         (array_agg(variant ORDER BY assigned_ts_utc))[1] AS variant
  FROM experiment_assignments
  GROUP BY experiment_id, account_id
),
split AS (
  SELECT experiment_id,
         count(*) FILTER (WHERE variant = 'control') AS control_accounts,
         count(*) FILTER (WHERE variant = 'treatment') AS treatment_accounts,
         count(*) / 2.0 AS e
  FROM first_assignment
  GROUP BY experiment_id
)
SELECT experiment_id, control_accounts, treatment_accounts,
       (control_accounts - e) ^ 2 / e + (treatment_accounts - e) ^ 2 / e AS chi_square,
       (control_accounts - e) ^ 2 / e + (treatment_accounts - e) ^ 2 / e > 10.83 AS srm
FROM split
