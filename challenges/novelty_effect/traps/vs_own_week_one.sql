-- name: Measured treatment against its own week 1 (before/after) instead of against control
-- explanation: Every new member's activity decays after signup, in both arms. Comparing treatment's week k with treatment's week 1 attributes that natural decay to the feature and always shows a week-1 "lift" of 0: it says nothing about what the tour did compared with not having it, which only control in the same week can tell.
WITH per_account AS (
  SELECT account_id, count(DISTINCT variant) AS n_variants,
         min(variant) AS variant, min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments WHERE experiment_id = 'onboarding_tour'
  GROUP BY account_id
),
analysed AS (
  SELECT p.account_id, p.variant, p.assigned_ts
  FROM per_account p JOIN accounts a USING (account_id)
  WHERE p.n_variants = 1 AND NOT a.is_test
    AND p.assigned_ts + INTERVAL 28 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
),
arm AS (
  SELECT count(*) FILTER (WHERE variant = 'control') AS n_c,
         count(*) FILTER (WHERE variant = 'treatment') AS n_t
  FROM analysed
),
plays AS (
  SELECT DISTINCT x.account_id, x.variant, x.assigned_ts, e.event_id, e.event_ts_utc
  FROM analysed x JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts AND e.event_ts_utc < x.assigned_ts + INTERVAL 28 DAY
),
since AS (
  SELECT *, 1 + date_diff('second', assigned_ts, event_ts_utc) // (7 * 86400) AS week FROM plays
),
weekly AS (
  SELECT week,
         count(*) FILTER (WHERE variant = 'control') / max(arm.n_c) AS c,
         count(*) FILTER (WHERE variant = 'treatment') / max(arm.n_t) AS t
  FROM since CROSS JOIN arm GROUP BY week
)
SELECT week::INTEGER AS week, c AS control_plays_per_account, t AS treatment_plays_per_account,
       t / first_value(t) OVER (ORDER BY week) - 1 AS lift
FROM weekly ORDER BY week
