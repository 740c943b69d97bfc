SELECT date_trunc('month', s.started_ts_utc)::DATE AS month,
       count(DISTINCT s.account_id) AS reactivated_accounts
FROM subscriptions s
JOIN accounts a ON a.account_id = s.account_id
WHERE NOT a.is_test
  AND EXISTS (
    SELECT 1 FROM subscriptions p
    WHERE p.account_id = s.account_id
      AND p.subscription_id <> s.subscription_id
      AND p.ended_ts_utc <= s.started_ts_utc
  )
GROUP BY 1
ORDER BY 1
