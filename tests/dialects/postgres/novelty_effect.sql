-- sqlglot cannot write DuckDB's GROUP BY ALL, // and range() for PostgreSQL.
-- Integer division by design for the week number; avg() of a bigint is numeric.
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
    AND p.assigned_ts + INTERVAL '28 days' <= (SELECT as_of_ts_utc FROM dataset_info)
),
arm_size AS (
  SELECT variant, count(*) AS accounts FROM analysed GROUP BY variant
),
plays AS (
  SELECT x.variant,
         1 + floor(EXTRACT(EPOCH FROM e.event_ts_utc - x.assigned_ts) / (7 * 86400))::int AS week,
         count(DISTINCT e.event_id) AS n_plays
  FROM analysed x JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts
    AND e.event_ts_utc < x.assigned_ts + INTERVAL '28 days'
  GROUP BY 1, 2
),
rates AS (
  SELECT w.week,
         sum(coalesce(p.n_plays, 0)) FILTER (WHERE s.variant = 'control')
           / max(s.accounts) FILTER (WHERE s.variant = 'control') AS control_plays_per_account,
         sum(coalesce(p.n_plays, 0)) FILTER (WHERE s.variant = 'treatment')
           / max(s.accounts) FILTER (WHERE s.variant = 'treatment') AS treatment_plays_per_account
  FROM generate_series(1, 4) AS w(week)
  CROSS JOIN arm_size s
  LEFT JOIN plays p ON p.week = w.week AND p.variant = s.variant
  GROUP BY w.week
)
SELECT week, control_plays_per_account, treatment_plays_per_account,
       treatment_plays_per_account / control_plays_per_account - 1 AS lift
FROM rates
ORDER BY week
