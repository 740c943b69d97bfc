-- name: Counted only each account's second subscription
-- explanation: Taking "the subscription after the first one" (row number 2) forgets members coming back for the third time. The most loyal returners disappear, and reactivation looks weaker in later months, exactly when repeat comebacks pile up.
WITH numbered AS (
  SELECT s.account_id, s.started_ts_utc,
         row_number() OVER (PARTITION BY s.account_id ORDER BY s.started_ts_utc) AS n
  FROM subscriptions s JOIN accounts a USING (account_id) WHERE NOT a.is_test)
SELECT date_trunc('month', started_ts_utc)::DATE AS month, count(DISTINCT account_id) AS reactivated_accounts
FROM numbered WHERE n = 2
GROUP BY 1 ORDER BY 1
