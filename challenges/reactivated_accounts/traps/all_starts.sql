-- name: Counted every subscription start, new signups included
-- explanation: Every account's first subscription is a signup, not a comeback. Counting all starts buries the reactivations under the month's acquisitions, so the "win-back" number follows marketing spend and a failed win-back campaign would look like a success.
SELECT date_trunc('month', s.started_ts_utc)::DATE AS month,
       count(DISTINCT s.account_id) AS reactivated_accounts
FROM subscriptions s JOIN accounts a USING (account_id)
WHERE NOT a.is_test
GROUP BY 1 ORDER BY 1
