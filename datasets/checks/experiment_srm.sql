-- property: autoplay_previews (designed 50/50) has a sample-ratio mismatch
-- why: an SRM means the assignment is broken and the readout cannot be trusted
WITH first_assignment AS (
  SELECT account_id, arg_min(variant, assigned_ts_utc) AS variant
  FROM experiment_assignments WHERE experiment_id = 'autoplay_previews' GROUP BY 1)
SELECT avg((variant = 'treatment')::INT) AS treatment_share FROM first_assignment
HAVING avg((variant = 'treatment')::INT) < 0.53
