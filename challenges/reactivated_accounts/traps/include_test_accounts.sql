-- name: Kept test and bot accounts
-- explanation: QA accounts cancel and resubscribe to test the billing flow. Their scripted comebacks are not customers coming back, and they inflate the win-back numbers of whichever months the test suites ran.
SELECT date_trunc('month', s.started_ts_utc)::DATE AS month, count(DISTINCT s.account_id) AS reactivated_accounts
FROM subscriptions s
WHERE EXISTS (SELECT 1 FROM subscriptions p WHERE p.account_id = s.account_id
              AND p.ended_ts_utc <= s.started_ts_utc)
GROUP BY 1 ORDER BY 1
