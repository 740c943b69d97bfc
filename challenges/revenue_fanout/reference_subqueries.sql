-- Correlated scalar subqueries: each subscription row stays one row.
SELECT plan,
       count(DISTINCT account_id) AS subscribers,
       sum(monthly_price_usd) AS mrr_usd,
       sum(n_devices) * 1.0 / count(DISTINCT account_id) AS devices_per_subscriber,
       sum(n_profiles) * 1.0 / count(DISTINCT account_id) AS profiles_per_subscriber
FROM (
  SELECT s.account_id, s.plan, s.monthly_price_usd,
         (SELECT count(*) FROM devices v
           WHERE v.account_id = s.account_id
             AND v.first_seen_ts_utc <= (SELECT as_of_ts_utc FROM dataset_info)) AS n_devices,
         (SELECT count(*) FROM profiles p
           WHERE p.account_id = s.account_id
             AND p.created_ts_utc <= (SELECT as_of_ts_utc FROM dataset_info)) AS n_profiles
  FROM subscriptions s
  WHERE s.account_id IN (SELECT account_id FROM accounts WHERE is_test = false)
    AND s.started_ts_utc <= (SELECT as_of_ts_utc FROM dataset_info)
    AND coalesce(s.ended_ts_utc, TIMESTAMP '9999-12-31') > (SELECT as_of_ts_utc FROM dataset_info)
) per_subscription
GROUP BY plan
