-- name: Counted returning members once per subscription
-- explanation: Finding the active accounts and then joining them back to subscriptions fans out: a member on their second or third subscription brings every earlier, ended subscription along into the denominator. Churn is understated in proportion to how many members have come back, so a successful win-back campaign would make churn look better twice over.
WITH months AS (
  SELECT m::DATE AS month_start, m + INTERVAL 1 MONTH AS month_end
  FROM dataset_info, range(TIMESTAMP '2026-02-01', as_of_ts_utc, INTERVAL 1 MONTH) t(m)
  WHERE m + INTERVAL 1 MONTH <= as_of_ts_utc),
active_accounts AS (
  SELECT DISTINCT m.month_start, s.account_id
  FROM months m JOIN subscriptions s ON s.started_ts_utc < m.month_start
   AND (s.ended_ts_utc IS NULL OR s.ended_ts_utc >= m.month_start)
  JOIN accounts a ON a.account_id = s.account_id AND NOT a.is_test)
SELECT m.month_start AS month,
       count(*) AS active_at_start,
       count(*) FILTER (WHERE s.ended_ts_utc >= m.month_start AND s.ended_ts_utc < m.month_end) AS churned,
       count(*) FILTER (WHERE s.ended_ts_utc >= m.month_start AND s.ended_ts_utc < m.month_end) / count(*) AS churn_rate
FROM months m
JOIN active_accounts aa ON aa.month_start = m.month_start
JOIN subscriptions s ON s.account_id = aa.account_id AND s.started_ts_utc < m.month_start
GROUP BY m.month_start ORDER BY month
