-- name: Joined subscriptions to profiles before summing revenue
-- explanation: Joining subscriptions to profiles gives one row per profile, and SUM(monthly_price_usd) adds the price once per profile. Family plans with several profiles look several times more valuable than they are, which would push pricing toward plans that do not earn what the report says.
WITH device_counts AS (
  SELECT v.account_id, count(*) AS n_devices FROM devices v, dataset_info d
  WHERE v.first_seen_ts_utc <= d.as_of_ts_utc GROUP BY 1
)
SELECT s.plan,
       count(DISTINCT s.account_id) AS subscribers,
       sum(s.monthly_price_usd) AS mrr_usd,
       (SELECT sum(dc.n_devices) FROM device_counts dc JOIN subscriptions s2 USING (account_id)
         JOIN accounts a2 USING (account_id), dataset_info d2
         WHERE s2.plan = s.plan AND NOT a2.is_test AND s2.started_ts_utc <= d2.as_of_ts_utc
           AND (s2.ended_ts_utc IS NULL OR s2.ended_ts_utc > d2.as_of_ts_utc))
         / count(DISTINCT s.account_id) AS devices_per_subscriber,
       count(DISTINCT p.profile_id) / count(DISTINCT s.account_id) AS profiles_per_subscriber
FROM subscriptions s
JOIN accounts a USING (account_id)
JOIN profiles p ON p.account_id = s.account_id
CROSS JOIN dataset_info d
WHERE NOT a.is_test AND p.created_ts_utc <= d.as_of_ts_utc
  AND s.started_ts_utc <= d.as_of_ts_utc
  AND (s.ended_ts_utc IS NULL OR s.ended_ts_utc > d.as_of_ts_utc)
GROUP BY s.plan
