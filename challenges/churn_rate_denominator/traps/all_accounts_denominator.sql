-- name: Divided by every account that ever subscribed
-- explanation: The denominator keeps members who cancelled months ago and are no longer at risk of churning. It only grows, so churn drifts down month after month even if retention is getting worse, and the board sees a "healthy" trend that is just an ageing customer list.
WITH months AS (
  SELECT m::DATE AS month_start, m + INTERVAL 1 MONTH AS month_end
  FROM dataset_info, range(TIMESTAMP '2026-02-01', as_of_ts_utc, INTERVAL 1 MONTH) t(m)
  WHERE m + INTERVAL 1 MONTH <= as_of_ts_utc),
subs AS (SELECT s.* FROM subscriptions s JOIN accounts a USING (account_id) WHERE NOT a.is_test),
agg AS (
  SELECT month_start,
         count(DISTINCT account_id) FILTER (WHERE started_ts_utc < month_start) AS active_at_start,
         count(*) FILTER (WHERE started_ts_utc < month_start AND ended_ts_utc >= month_start
                            AND ended_ts_utc < month_end) AS churned
  FROM months, subs GROUP BY month_start)
SELECT month_start AS month, active_at_start, churned, churned / active_at_start AS churn_rate
FROM agg ORDER BY month
