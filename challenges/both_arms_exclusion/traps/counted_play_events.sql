-- name: Counted play_start events instead of converted accounts
-- explanation: "Converted" became the number of play_start events in the window, so the "conversion rate" is plays per account and can exceed 1. Heavy users dominate it: a handful of binge-watchers in one arm look like a conversion win, while the question (did more members start watching at all?) goes unanswered.
WITH per_account AS (
  SELECT experiment_id, account_id, count(DISTINCT variant) AS n_variants,
         min(variant) AS variant, min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments GROUP BY experiment_id, account_id
),
analysed AS (
  SELECT p.* FROM per_account p JOIN accounts a USING (account_id)
  WHERE p.n_variants = 1 AND NOT a.is_test
    AND p.assigned_ts + INTERVAL 7 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
),
plays AS (
  SELECT x.experiment_id, x.account_id, count(DISTINCT e.event_id) AS n_plays
  FROM analysed x JOIN events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts AND e.event_ts_utc < x.assigned_ts + INTERVAL 7 DAY
  GROUP BY x.experiment_id, x.account_id
)
SELECT x.experiment_id, x.variant, count(*) AS accounts,
       coalesce(sum(p.n_plays), 0) AS converted,
       coalesce(sum(p.n_plays), 0) / count(*) AS conversion_rate
FROM analysed x LEFT JOIN plays p USING (experiment_id, account_id)
GROUP BY x.experiment_id, x.variant
