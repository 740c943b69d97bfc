-- name: Counted subscriptions that had already ended
-- explanation: Without the ended_ts_utc condition every subscription ever started is summed, including cancelled and churned ones and each reactivation again. MRR then only grows, hiding churn exactly when Finance needs to see it.
WITH subs AS (
  SELECT s.account_id, s.plan, s.monthly_price_usd
  FROM subscriptions s JOIN accounts a USING (account_id), dataset_info d
  WHERE NOT a.is_test AND s.started_ts_utc <= d.as_of_ts_utc
),
device_counts AS (
  SELECT v.account_id, count(*) AS n_devices FROM devices v, dataset_info d
  WHERE v.first_seen_ts_utc <= d.as_of_ts_utc GROUP BY 1
),
profile_counts AS (
  SELECT p.account_id, count(*) AS n_profiles FROM profiles p, dataset_info d
  WHERE p.created_ts_utc <= d.as_of_ts_utc GROUP BY 1
),
per_account AS (
  SELECT plan, account_id, sum(monthly_price_usd) AS price FROM subs GROUP BY 1, 2
)
SELECT s.plan, count(*) AS subscribers, sum(s.price) AS mrr_usd,
       coalesce(sum(dc.n_devices), 0) / count(*) AS devices_per_subscriber,
       coalesce(sum(pc.n_profiles), 0) / count(*) AS profiles_per_subscriber
FROM per_account s
LEFT JOIN device_counts dc USING (account_id)
LEFT JOIN profile_counts pc USING (account_id)
GROUP BY s.plan
