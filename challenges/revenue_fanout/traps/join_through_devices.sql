-- name: Joined subscriptions to devices before summing revenue
-- explanation: Joining subscriptions to devices gives one row per device, and SUM(monthly_price_usd) adds the price once per device. MRR is multiplied by household size (worst for premium households with many screens), so the plan mix and revenue forecasts no longer match what is billed.
WITH profile_counts AS (
  SELECT p.account_id, count(*) AS n_profiles FROM profiles p, dataset_info d
  WHERE p.created_ts_utc <= d.as_of_ts_utc GROUP BY 1
)
SELECT s.plan,
       count(DISTINCT s.account_id) AS subscribers,
       sum(s.monthly_price_usd) AS mrr_usd,
       count(DISTINCT v.device_id) / count(DISTINCT s.account_id) AS devices_per_subscriber,
       (SELECT sum(pc.n_profiles) FROM profile_counts pc JOIN subscriptions s2 USING (account_id)
         JOIN accounts a2 USING (account_id), dataset_info d2
         WHERE s2.plan = s.plan AND NOT a2.is_test AND s2.started_ts_utc <= d2.as_of_ts_utc
           AND (s2.ended_ts_utc IS NULL OR s2.ended_ts_utc > d2.as_of_ts_utc))
         / count(DISTINCT s.account_id) AS profiles_per_subscriber
FROM subscriptions s
JOIN accounts a USING (account_id)
JOIN devices v ON v.account_id = s.account_id
CROSS JOIN dataset_info d
WHERE NOT a.is_test AND v.first_seen_ts_utc <= d.as_of_ts_utc
  AND s.started_ts_utc <= d.as_of_ts_utc
  AND (s.ended_ts_utc IS NULL OR s.ended_ts_utc > d.as_of_ts_utc)
GROUP BY s.plan
