-- name: Open subscriptions fell out of the average through NULL arithmetic
-- explanation: ended_ts_utc - started_ts_utc is NULL for every open subscription, and avg() silently skips NULLs, while count(*) still counts them. The report claims to cover all subscriptions but the average is the ended ones only: tenure looks much shorter than it is, and nothing on the page says so.
SELECT s.plan, count(*) AS subscriptions,
       avg(date_diff('second', s.started_ts_utc, s.ended_ts_utc) / 86400.0) AS avg_tenure_days
FROM subscriptions s JOIN accounts a USING (account_id)
WHERE NOT a.is_test
GROUP BY s.plan
