-- name: Counted weeks by calendar week instead of since assignment
-- explanation: "Week 1" became the Monday-start week of the assignment, so a member assigned on Sunday has one day in week 1 and a member assigned on Monday seven. Each calendar week mixes members at different ages of exposure, smearing the fade: the week-1 lift is diluted and the later weeks still carry some of the novelty burst.
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
cal AS (
  SELECT variant,
         1 + date_diff('week', date_trunc('week', assigned_ts), date_trunc('week', event_ts_utc)) AS week
  FROM plays
)
SELECT week::INTEGER AS week,
       count(*) FILTER (WHERE variant = 'control') / max(arm.n_c) AS control_plays_per_account,
       count(*) FILTER (WHERE variant = 'treatment') / max(arm.n_t) AS treatment_plays_per_account,
       (count(*) FILTER (WHERE variant = 'treatment') / max(arm.n_t))
         / (count(*) FILTER (WHERE variant = 'control') / max(arm.n_c)) - 1 AS lift
FROM cal CROSS JOIN arm
WHERE week BETWEEN 1 AND 4
GROUP BY week ORDER BY week
