-- Assignment rows with no row of the other variant for the same account, flagged with EXISTS.
SELECT ea.experiment_id, ea.variant,
       count(*) AS accounts,
       sum(CASE WHEN EXISTS (
             SELECT 1 FROM events e
             WHERE e.account_id = ea.account_id AND e.event_type = 'play_start'
               AND e.event_ts_utc >= ea.assigned_ts_utc
               AND e.event_ts_utc < ea.assigned_ts_utc + INTERVAL '7 days')
           THEN 1 ELSE 0 END) AS converted,
       avg(CASE WHEN EXISTS (
             SELECT 1 FROM events e
             WHERE e.account_id = ea.account_id AND e.event_type = 'play_start'
               AND e.event_ts_utc >= ea.assigned_ts_utc
               AND e.event_ts_utc < ea.assigned_ts_utc + INTERVAL '7 days')
           THEN 1.0 ELSE 0.0 END) AS conversion_rate
FROM experiment_assignments ea
JOIN accounts a ON a.account_id = ea.account_id AND a.is_test = false
WHERE NOT EXISTS (
        SELECT 1 FROM experiment_assignments other
        WHERE other.experiment_id = ea.experiment_id
          AND other.account_id = ea.account_id
          AND other.variant <> ea.variant)
  AND ea.assigned_ts_utc + INTERVAL '7 days' <= (SELECT as_of_ts_utc FROM dataset_info)
GROUP BY ea.experiment_id, ea.variant
