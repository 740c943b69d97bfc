WITH asg AS (
  SELECT x.account_id, min(x.variant) AS variant, min(x.assigned_ts_utc) AS assigned
  FROM experiment_assignments x JOIN accounts a USING (account_id)
  WHERE x.experiment_id = 'onboarding_tour' AND NOT a.is_test
  GROUP BY 1 HAVING count(DISTINCT x.variant) = 1
), an AS (
  SELECT * FROM asg WHERE assigned + INTERVAL 28 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
), plays AS (
  SELECT DISTINCT e.event_id, e.account_id, e.event_ts_utc FROM events e
  WHERE e.event_type = 'play_start' AND e.account_id IN (SELECT account_id FROM an)
), weeks AS (SELECT range AS week FROM range(1, 5)),
per AS (
  SELECT w.week, an.variant,
         (SELECT count(*) FROM plays p WHERE p.account_id = an.account_id
            AND p.event_ts_utc >= an.assigned + (w.week - 1) * INTERVAL 7 DAY
            AND p.event_ts_utc < an.assigned + w.week * INTERVAL 7 DAY) AS plays
  FROM an CROSS JOIN weeks w
), agg AS (
  SELECT week,
         sum(plays) FILTER (WHERE variant = 'control')::DOUBLE
           / nullif(count(*) FILTER (WHERE variant = 'control'), 0) AS c,
         sum(plays) FILTER (WHERE variant = 'treatment')::DOUBLE
           / nullif(count(*) FILTER (WHERE variant = 'treatment'), 0) AS t
  FROM per GROUP BY week
)
SELECT CAST(week AS INTEGER) AS week, c AS control_plays_per_account, t AS treatment_plays_per_account,
       t / nullif(c, 0) - 1 AS lift
FROM agg ORDER BY week
