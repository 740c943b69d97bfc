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
         1 + date_diff('second', x.assigned_ts, e.event_ts_utc) // (7 * 86400) AS week,
         count(DISTINCT e.event_id) AS n_plays
  FROM analysed x JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts
    AND e.event_ts_utc < x.assigned_ts + INTERVAL 28 DAY
  GROUP BY ALL
),
rates AS (
  SELECT w.week,
         coalesce(max(p.n_plays) FILTER (WHERE s.variant = 'control'), 0)
           / max(s.accounts) FILTER (WHERE s.variant = 'control') AS control_plays_per_account,
         coalesce(max(p.n_plays) FILTER (WHERE s.variant = 'treatment'), 0)
           / max(s.accounts) FILTER (WHERE s.variant = 'treatment') AS treatment_plays_per_account
  FROM range(1, 5) w(week)
  CROSS JOIN arm_size s
  LEFT JOIN plays p ON p.week = w.week AND p.variant = s.variant
  GROUP BY w.week
)
SELECT week::INTEGER AS week, control_plays_per_account, treatment_plays_per_account,
       treatment_plays_per_account / control_plays_per_account - 1 AS lift
FROM rates
ORDER BY week
