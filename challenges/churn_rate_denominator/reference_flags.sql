-- Flag each (month, subscription) pair, then average the churn flag.
WITH months AS (
  SELECT DISTINCT date_trunc('month', d)::DATE AS month
  FROM dataset_info, generate_series(DATE '2026-02-01', as_of_ts_utc::DATE, INTERVAL 1 DAY) g(d)
),
flags AS (
  SELECT m.month,
         CASE WHEN coalesce(s.ended_ts_utc, TIMESTAMP '9999-01-01') < m.month + INTERVAL 1 MONTH
              THEN 1 ELSE 0 END AS churned
  FROM months m
  JOIN subscriptions s ON s.started_ts_utc < m.month
   AND coalesce(s.ended_ts_utc, TIMESTAMP '9999-01-01') >= m.month
  WHERE s.account_id NOT IN (SELECT account_id FROM accounts WHERE is_test)
    AND m.month + INTERVAL 1 MONTH <= (SELECT as_of_ts_utc FROM dataset_info)
)
SELECT month, count(*) AS active_at_start, sum(churned) AS churned, avg(churned) AS churn_rate
FROM flags
GROUP BY month
ORDER BY month
