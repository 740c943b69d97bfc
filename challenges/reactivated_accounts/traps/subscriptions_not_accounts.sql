-- name: Counted reactivation subscriptions instead of accounts
-- explanation: A member who cancels and comes back twice in the same month has two reactivation subscriptions. Counting rows counts that member twice, so the win-back number is inflated by the least stable subscribers, the ones who churn again straight away.
SELECT date_trunc('month', s.started_ts_utc)::DATE AS month, count(*) AS reactivated_accounts
FROM subscriptions s JOIN accounts a USING (account_id)
WHERE NOT a.is_test
  AND EXISTS (SELECT 1 FROM subscriptions p WHERE p.account_id = s.account_id
              AND p.ended_ts_utc <= s.started_ts_utc)
GROUP BY 1 ORDER BY 1
