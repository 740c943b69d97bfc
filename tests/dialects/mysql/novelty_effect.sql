-- MySQL has no range(), GROUP BY ALL or FILTER: a derived table of weeks, CASE instead.
WITH per_account AS (
  SELECT account_id, count(DISTINCT variant) AS n_variants,
         min(variant) AS variant, min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments
  WHERE experiment_id = 'onboarding_tour'
  GROUP BY account_id
),
analysed AS (
  SELECT p.account_id, p.variant, p.assigned_ts
  FROM per_account p JOIN accounts a USING (account_id)
  WHERE p.n_variants = 1 AND NOT a.is_test
    AND p.assigned_ts + INTERVAL 28 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
),
arm_size AS (
  SELECT variant, count(*) AS accounts FROM analysed GROUP BY variant
),
plays AS (
  SELECT x.variant,
         1 + TIMESTAMPDIFF(SECOND, x.assigned_ts, e.event_ts_utc) DIV (7 * 86400) AS week,
         count(DISTINCT e.event_id) AS n_plays
  FROM analysed x JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts
    AND e.event_ts_utc < x.assigned_ts + INTERVAL 28 DAY
  GROUP BY 1, 2
),
weeks AS (
  SELECT 1 AS week UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
),
rates AS (
  SELECT w.week,
         coalesce(max(CASE WHEN s.variant = 'control' THEN p.n_plays END), 0)
           / max(CASE WHEN s.variant = 'control' THEN s.accounts END) AS control_plays_per_account,
         coalesce(max(CASE WHEN s.variant = 'treatment' THEN p.n_plays END), 0)
           / max(CASE WHEN s.variant = 'treatment' THEN s.accounts END) AS treatment_plays_per_account
  FROM weeks w
  CROSS JOIN arm_size s
  LEFT JOIN plays p ON p.week = w.week AND p.variant = s.variant
  GROUP BY w.week
)
SELECT week, control_plays_per_account, treatment_plays_per_account,
       treatment_plays_per_account / control_plays_per_account - 1 AS lift
FROM rates
ORDER BY week
