SELECT CAST(date_trunc('month', s.started_ts_utc) AS DATE) AS month,
       count(DISTINCT s.account_id) AS reactivated_accounts
FROM subscriptions s JOIN accounts a USING (account_id)
WHERE NOT a.is_test AND EXISTS (
  SELECT 1 FROM subscriptions o WHERE o.account_id = s.account_id
    AND o.subscription_id <> s.subscription_id AND o.ended_ts_utc <= s.started_ts_utc)
GROUP BY 1 ORDER BY 1
