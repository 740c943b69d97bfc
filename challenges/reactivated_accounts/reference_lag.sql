-- The previous subscription's end, with a window over the account's history.
WITH ordered AS (
  SELECT account_id, started_ts_utc,
         lag(ended_ts_utc) OVER (PARTITION BY account_id ORDER BY started_ts_utc) AS prev_end
  FROM subscriptions
  WHERE account_id IN (SELECT account_id FROM accounts WHERE NOT is_test)
)
SELECT CAST(strftime(started_ts_utc, '%Y-%m-01') AS DATE) AS month,
       count(DISTINCT account_id) AS reactivated_accounts
FROM ordered
WHERE prev_end IS NOT NULL AND prev_end <= started_ts_utc
GROUP BY 1
ORDER BY 1
