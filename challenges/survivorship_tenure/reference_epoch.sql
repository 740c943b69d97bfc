-- Sum of seconds over a count, with the open end filled in first.
WITH spans AS (
  SELECT s.plan, s.started_ts_utc AS a_ts,
         CASE WHEN s.ended_ts_utc IS NULL THEN (SELECT as_of_ts_utc FROM dataset_info)
              ELSE s.ended_ts_utc END AS b_ts
  FROM subscriptions s
  WHERE s.account_id IN (SELECT account_id FROM accounts WHERE is_test = false)
)
SELECT plan, count(*) AS subscriptions,
       sum(epoch(b_ts) - epoch(a_ts)) / count(*) / 86400 AS avg_tenure_days
FROM spans
GROUP BY plan
