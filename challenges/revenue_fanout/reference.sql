WITH active AS (
  SELECT s.account_id, s.plan, s.monthly_price_usd
  FROM subscriptions s
  JOIN accounts a USING (account_id)
  CROSS JOIN dataset_info d
  WHERE NOT a.is_test
    AND s.started_ts_utc <= d.as_of_ts_utc
    AND (s.ended_ts_utc IS NULL OR s.ended_ts_utc > d.as_of_ts_utc)
),
device_counts AS (
  SELECT v.account_id, count(*) AS n_devices
  FROM devices v, dataset_info d
  WHERE v.first_seen_ts_utc <= d.as_of_ts_utc
  GROUP BY v.account_id
),
profile_counts AS (
  SELECT p.account_id, count(*) AS n_profiles
  FROM profiles p, dataset_info d
  WHERE p.created_ts_utc <= d.as_of_ts_utc
  GROUP BY p.account_id
)
SELECT s.plan,
       count(DISTINCT s.account_id) AS subscribers,
       sum(s.monthly_price_usd) AS mrr_usd,
       coalesce(sum(dc.n_devices), 0) / count(DISTINCT s.account_id) AS devices_per_subscriber,
       coalesce(sum(pc.n_profiles), 0) / count(DISTINCT s.account_id) AS profiles_per_subscriber
FROM active s
LEFT JOIN device_counts dc USING (account_id)
LEFT JOIN profile_counts pc USING (account_id)
GROUP BY s.plan
