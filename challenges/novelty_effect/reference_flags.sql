-- One row per account and week with its play count, then plain averages per variant.
WITH clean AS (
  SELECT ea.account_id, ea.variant, ea.assigned_ts_utc
  FROM experiment_assignments ea
  JOIN accounts a ON a.account_id = ea.account_id AND NOT a.is_test
  WHERE ea.experiment_id = 'onboarding_tour'
    AND ea.assigned_ts_utc + INTERVAL '28 days' <= (SELECT as_of_ts_utc FROM dataset_info)
    AND NOT EXISTS (SELECT 1 FROM experiment_assignments o
                    WHERE o.experiment_id = ea.experiment_id AND o.account_id = ea.account_id
                      AND o.variant <> ea.variant)
),
account_weeks AS (
  SELECT c.account_id, c.variant, w.k AS week,
         (SELECT count(DISTINCT e.event_id) FROM events e
          WHERE e.account_id = c.account_id AND e.event_type = 'play_start'
            AND e.event_ts_utc >= c.assigned_ts_utc + INTERVAL 1 DAY * (7 * (w.k - 1))
            AND e.event_ts_utc < c.assigned_ts_utc + INTERVAL 1 DAY * (7 * w.k)) AS n_plays
  FROM clean c CROSS JOIN (SELECT unnest([1, 2, 3, 4]) AS k) w
),
by_week AS (
  SELECT week,
         sum(n_plays) FILTER (WHERE variant = 'control')
           / count(*) FILTER (WHERE variant = 'control') AS control_plays_per_account,
         sum(n_plays) FILTER (WHERE variant = 'treatment')
           / count(*) FILTER (WHERE variant = 'treatment') AS treatment_plays_per_account
  FROM account_weeks GROUP BY week
)
SELECT week, control_plays_per_account, treatment_plays_per_account,
       treatment_plays_per_account / control_plays_per_account - 1 AS lift
FROM by_week ORDER BY week
