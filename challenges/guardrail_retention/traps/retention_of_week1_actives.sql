-- name: Measured retention among week-1 actives instead of all assigned accounts
-- explanation: Dividing week-4 players by the accounts that played in week 1 makes retention relative to earlier activity. The denominator now depends on the treatment (autoplay engages more members in week 1), so the two arms are no longer comparable groups, and the guardrail answers "of those we had already hooked, how many stayed?" instead of "how many of our members are still here in week 4?".
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
week1 AS (
  SELECT DISTINCT x.account_id
  FROM analysed x JOIN unique_events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts AND e.event_ts_utc < x.assigned_ts + INTERVAL 7 DAY
),
retained AS (
  SELECT DISTINCT x.account_id
  FROM analysed x JOIN unique_events e ON e.account_id = x.account_id
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= x.assigned_ts + INTERVAL 28 DAY
    AND e.event_ts_utc < x.assigned_ts + INTERVAL 35 DAY
)
SELECT x.variant, count(*) AS accounts,
       coalesce(sum(w.hours), 0) / count(*) AS watch_hours_per_account,
       count(r.account_id) FILTER (WHERE a1.account_id IS NOT NULL) AS retained,
       count(r.account_id) FILTER (WHERE a1.account_id IS NOT NULL) / count(a1.account_id)
         AS week4_retention
FROM analysed x LEFT JOIN watch w USING (account_id)
LEFT JOIN week1 a1 USING (account_id) LEFT JOIN retained r USING (account_id)
GROUP BY x.variant
