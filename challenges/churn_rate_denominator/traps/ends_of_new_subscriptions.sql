-- name: Counted ends of subscriptions that started during the month
-- explanation: The numerator counts every subscription that ended in M, including trials and returning members who started and cancelled within the same month, while the denominator only has those active at its start. Numerator and denominator describe different populations: churn is overstated, and a month with many quick cancels of new signups is blamed on the existing base.
WITH months AS (
  SELECT m::DATE AS month_start, m + INTERVAL 1 MONTH AS month_end
  FROM dataset_info, range(TIMESTAMP '2026-02-01', as_of_ts_utc, INTERVAL 1 MONTH) t(m)
  WHERE m + INTERVAL 1 MONTH <= as_of_ts_utc),
subs AS (SELECT s.* FROM subscriptions s JOIN accounts a USING (account_id) WHERE NOT a.is_test),
agg AS (
  SELECT month_start,
         count(*) FILTER (WHERE started_ts_utc < month_start
                            AND (ended_ts_utc IS NULL OR ended_ts_utc >= month_start)) AS active_at_start,
         count(*) FILTER (WHERE ended_ts_utc >= month_start AND ended_ts_utc < month_end) AS churned
  FROM months, subs GROUP BY month_start)
SELECT month_start AS month, active_at_start, churned, churned / active_at_start AS churn_rate
FROM agg ORDER BY month
