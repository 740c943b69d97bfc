-- name: Reported the cumulative lift to date instead of each week's lift
-- explanation: Week k's number pools all plays from week 1 to week k, the way an experiment dashboard shows "lift so far". The week-1 novelty burst stays inside every number, so the lift looks durable long after it has faded, and the feature is shipped for an effect that is already gone.
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
cum AS (
  SELECT w.k AS week,
         count(*) FILTER (WHERE s.variant = 'control' AND s.week <= w.k) / max(arm.n_c) AS c,
         count(*) FILTER (WHERE s.variant = 'treatment' AND s.week <= w.k) / max(arm.n_t) AS t
  FROM (SELECT unnest([1, 2, 3, 4]) AS k) w CROSS JOIN since s CROSS JOIN arm
  GROUP BY w.k
)
SELECT week, c AS control_plays_per_account, t AS treatment_plays_per_account, t / c - 1 AS lift
FROM cum ORDER BY week
