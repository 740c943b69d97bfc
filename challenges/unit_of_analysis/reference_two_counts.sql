-- Numerator and denominator counted separately, then joined.
WITH clean AS (
  SELECT ea.experiment_id, ea.account_id, ea.variant, ea.assigned_ts_utc
  FROM experiment_assignments ea
  JOIN accounts a ON a.account_id = ea.account_id AND a.is_test = false
  WHERE NOT EXISTS (SELECT 1 FROM experiment_assignments o
                    WHERE o.experiment_id = ea.experiment_id AND o.account_id = ea.account_id
                      AND o.variant <> ea.variant)
    AND ea.assigned_ts_utc + INTERVAL '14 days' <= (SELECT as_of_ts_utc FROM dataset_info)
),
denominators AS (
  SELECT experiment_id, variant, count(*) AS accounts FROM clean GROUP BY ALL
),
numerators AS (
  SELECT c.experiment_id, c.variant, count(DISTINCT e.event_id) AS plays
  FROM clean c JOIN events e ON e.account_id = c.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= c.assigned_ts_utc
    AND e.event_ts_utc < c.assigned_ts_utc + INTERVAL '14 days'
  GROUP BY ALL
)
SELECT d.experiment_id, d.variant, d.accounts, coalesce(n.plays, 0) AS plays,
       coalesce(n.plays, 0) / d.accounts AS plays_per_account
FROM denominators d LEFT JOIN numerators n USING (experiment_id, variant)
