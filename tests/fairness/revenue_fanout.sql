WITH i AS (SELECT as_of_ts_utc AS as_of FROM dataset_info),
act AS (
  SELECT s.plan, s.account_id, s.monthly_price_usd
  FROM subscriptions s JOIN accounts a USING (account_id), i
  WHERE NOT a.is_test AND s.started_ts_utc <= i.as_of AND (s.ended_ts_utc IS NULL OR s.ended_ts_utc > i.as_of)
), per_plan_account AS (
  SELECT plan, account_id, sum(monthly_price_usd) AS mrr FROM act GROUP BY 1, 2
), dev AS (
  SELECT d.account_id, count(*) AS n FROM devices d, i WHERE d.first_seen_ts_utc <= i.as_of GROUP BY 1
), prof AS (
  SELECT p.account_id, count(*) AS n FROM profiles p, i WHERE p.created_ts_utc <= i.as_of GROUP BY 1
)
SELECT x.plan, count(*) AS subscribers, sum(x.mrr) AS mrr_usd,
       sum(coalesce(dev.n, 0))::DOUBLE / nullif(count(*), 0) AS devices_per_subscriber,
       sum(coalesce(prof.n, 0))::DOUBLE / nullif(count(*), 0) AS profiles_per_subscriber
FROM per_plan_account x LEFT JOIN dev USING (account_id) LEFT JOIN prof USING (account_id)
GROUP BY 1
