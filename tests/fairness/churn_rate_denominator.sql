WITH months AS (
  SELECT CAST(m AS TIMESTAMP) AS m
  FROM generate_series(TIMESTAMP '2026-02-01', (SELECT as_of_ts_utc FROM dataset_info), INTERVAL 1 MONTH) g(m)
  WHERE m + INTERVAL 1 MONTH <= (SELECT as_of_ts_utc FROM dataset_info)
), subs AS (
  SELECT s.* FROM subscriptions s JOIN accounts a USING (account_id) WHERE NOT a.is_test
)
SELECT CAST(months.m AS DATE) AS month,
       count(s.subscription_id) AS active_at_start,
       count(s.subscription_id) FILTER (WHERE s.ended_ts_utc < months.m + INTERVAL 1 MONTH) AS churned,
       (count(s.subscription_id) FILTER (WHERE s.ended_ts_utc < months.m + INTERVAL 1 MONTH))::DOUBLE
         / nullif(count(s.subscription_id), 0) AS churn_rate
FROM months LEFT JOIN subs s
  ON s.started_ts_utc < months.m AND (s.ended_ts_utc IS NULL OR s.ended_ts_utc >= months.m)
GROUP BY months.m ORDER BY month
