-- MySQL has no range() table function (a recursive CTE makes the months) and no FILTER.
WITH RECURSIVE month_starts AS (
  SELECT TIMESTAMP '2026-02-01 00:00:00' AS m
  UNION ALL
  SELECT m + INTERVAL 1 MONTH FROM month_starts, dataset_info WHERE m + INTERVAL 1 MONTH < as_of_ts_utc
),
months AS (
  SELECT DATE(m) AS month_start, m + INTERVAL 1 MONTH AS month_end
  FROM month_starts, dataset_info
  WHERE m < as_of_ts_utc AND m + INTERVAL 1 MONTH <= as_of_ts_utc
),
subs AS (
  SELECT s.* FROM subscriptions s JOIN accounts a USING (account_id) WHERE NOT a.is_test
),
active AS (
  SELECT m.month_start, m.month_end, s.subscription_id, s.ended_ts_utc
  FROM months m JOIN subs s
    ON s.started_ts_utc < m.month_start
   AND (s.ended_ts_utc IS NULL OR s.ended_ts_utc >= m.month_start)
)
SELECT month_start AS month,
       count(*) AS active_at_start,
       count(CASE WHEN ended_ts_utc < month_end THEN 1 END) AS churned,
       count(CASE WHEN ended_ts_utc < month_end THEN 1 END) / count(*) AS churn_rate
FROM active
GROUP BY month_start
ORDER BY month_start
