-- name: Kept the accounts logged in both variants, in both arms
-- explanation: Contaminated accounts were exposed to autoplay and to its absence; counting them in both arms (each time from its own assignment row) adds the same members to both sides, blurring the difference in engagement and in churn. The guardrail is weakened exactly where it matters, and nobody reports that part of the experiment is broken.
WITH analysed AS (
  SELECT ea.account_id, ea.variant, ea.assigned_ts_utc AS assigned_ts
  FROM experiment_assignments ea JOIN accounts a USING (account_id)
  WHERE ea.experiment_id = 'autoplay_previews' AND NOT a.is_test
    AND ea.assigned_ts_utc + INTERVAL 35 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
),
unique_events AS (
  SELECT DISTINCT event_id, account_id, event_type, event_ts_utc, watch_seconds FROM events
),
watch AS (
  SELECT x.account_id, x.variant, sum(e.watch_seconds) / 3600 AS hours
  FROM analysed x JOIN unique_events e ON e.account_id = x.account_id
  WHERE e.watch_seconds IS NOT NULL
    AND e.event_ts_utc >= x.assigned_ts AND e.event_ts_utc < x.assigned_ts + INTERVAL 21 DAY
  GROUP BY x.account_id, x.variant
),
retained AS (
  SELECT DISTINCT x.account_id, x.variant
  FROM analysed x JOIN unique_events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts + INTERVAL 28 DAY
    AND e.event_ts_utc < x.assigned_ts + INTERVAL 35 DAY
)
SELECT x.variant, count(*) AS accounts,
       coalesce(sum(w.hours), 0) / count(*) AS watch_hours_per_account,
       count(r.account_id) AS retained, count(r.account_id) / count(*) AS week4_retention
FROM analysed x LEFT JOIN watch w USING (account_id, variant)
LEFT JOIN retained r USING (account_id, variant)
GROUP BY x.variant
