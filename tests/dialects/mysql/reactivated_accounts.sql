-- sqlglot cannot write ORDER BY 1 with DuckDB's NULLS LAST for MySQL; no date_trunc().
SELECT CAST(DATE_FORMAT(s.started_ts_utc, '%Y-%m-01') AS DATE) AS month,
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
ORDER BY month
