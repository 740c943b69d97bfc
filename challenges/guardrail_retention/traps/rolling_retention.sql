-- name: Counted any play from day 28 on (rolling retention)
-- explanation: "Played on or after day 28" keeps counting members who cancelled in week 4 and came back weeks later, and rises the longer you wait. The treatment's week-4 churn is diluted by reactivations, so the guardrail looks flat and a feature that drives a fifth of its members to cancel gets shipped.
WITH per_account AS (
  SELECT account_id, count(DISTINCT variant) AS n_variants,
         min(variant) AS variant, min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments WHERE experiment_id = 'autoplay_previews'
  GROUP BY account_id
),
analysed AS (
  SELECT p.account_id, p.variant, p.assigned_ts
  FROM per_account p JOIN accounts a USING (account_id)
  WHERE p.n_variants = 1 AND NOT a.is_test
    AND p.assigned_ts + INTERVAL 35 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
),
unique_events AS (
  SELECT DISTINCT event_id, account_id, event_type, event_ts_utc, watch_seconds FROM events
),
watch AS (
  SELECT x.account_id, sum(e.watch_seconds) / 3600 AS hours
  FROM analysed x JOIN unique_events e ON e.account_id = x.account_id
  WHERE e.watch_seconds IS NOT NULL
    AND e.event_ts_utc >= x.assigned_ts AND e.event_ts_utc < x.assigned_ts + INTERVAL 21 DAY
  GROUP BY x.account_id
),
retained AS (
  SELECT DISTINCT x.account_id
  FROM analysed x JOIN unique_events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start' AND e.event_ts_utc >= x.assigned_ts + INTERVAL 28 DAY
)
SELECT x.variant, count(*) AS accounts,
       coalesce(sum(w.hours), 0) / count(*) AS watch_hours_per_account,
       count(r.account_id) AS retained, count(r.account_id) / count(*) AS week4_retention
FROM analysed x LEFT JOIN watch w USING (account_id) LEFT JOIN retained r USING (account_id)
GROUP BY x.variant
