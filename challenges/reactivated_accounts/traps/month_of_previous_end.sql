-- name: Placed the comeback in the month the previous subscription ended
-- explanation: The reactivation happens when the member starts paying again, not when they left. Dating it by the earlier cancellation moves comebacks into earlier months, so a win-back campaign gets credit in a month before it ran and the latest month always looks empty.
WITH ordered AS (
  SELECT s.account_id, s.started_ts_utc,
         lag(s.ended_ts_utc) OVER (PARTITION BY s.account_id ORDER BY s.started_ts_utc) AS prev_end
  FROM subscriptions s JOIN accounts a USING (account_id) WHERE NOT a.is_test)
SELECT date_trunc('month', prev_end)::DATE AS month, count(DISTINCT account_id) AS reactivated_accounts
FROM ordered WHERE prev_end <= started_ts_utc
GROUP BY 1 ORDER BY 1
