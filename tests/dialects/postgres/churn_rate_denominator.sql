-- sqlglot turns DuckDB's range() over timestamps into an integer series.
WITH months AS (
  SELECT m::date AS month_start, m + INTERVAL '1 month' AS month_end
  FROM dataset_info,
       generate_series(TIMESTAMP '2026-02-01', as_of_ts_utc, INTERVAL '1 month') AS t(m)
  WHERE m + INTERVAL '1 month' <= as_of_ts_utc
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
       count(*) FILTER (WHERE ended_ts_utc < month_end) AS churned,
       count(*) FILTER (WHERE ended_ts_utc < month_end)::numeric / count(*) AS churn_rate
FROM active
GROUP BY month_start
ORDER BY month_start
