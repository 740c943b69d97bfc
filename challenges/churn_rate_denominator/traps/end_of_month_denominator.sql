-- name: Divided by subscriptions active at the end of the month
-- explanation: The month-end base has already lost the month's churners and gained its new signups, so the denominator is the wrong population. Churn is understated, most in a month of strong acquisition, and a growth spurt would hide a retention problem.
WITH months AS (
  SELECT m::DATE AS month_start, m + INTERVAL 1 MONTH AS month_end
  FROM dataset_info, range(TIMESTAMP '2026-02-01', as_of_ts_utc, INTERVAL 1 MONTH) t(m)
  WHERE m + INTERVAL 1 MONTH <= as_of_ts_utc),
subs AS (SELECT s.* FROM subscriptions s JOIN accounts a USING (account_id) WHERE NOT a.is_test),
agg AS (
  SELECT month_start,
         count(*) FILTER (WHERE started_ts_utc < month_end
                            AND (ended_ts_utc IS NULL OR ended_ts_utc >= month_end)) AS active_at_start,
         count(*) FILTER (WHERE started_ts_utc < month_start AND ended_ts_utc >= month_start
                            AND ended_ts_utc < month_end) AS churned
  FROM months, subs GROUP BY month_start)
SELECT month_start AS month, active_at_start, churned, churned / active_at_start AS churn_rate
FROM agg ORDER BY month
