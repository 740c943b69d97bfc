-- name: Averaged only the subscriptions that have ended
-- explanation: Only subscriptions that were short enough to end before as_of are measured; every long-lived, still-running one is left out. Average tenure comes out far too low (classic survivorship bias in reverse), and a plan whose members stay longest looks no better than the rest, so a pricing or retention decision would be made on the churners alone.
SELECT s.plan, count(*) AS subscriptions,
       avg(date_diff('second', s.started_ts_utc, s.ended_ts_utc) / 86400.0) AS avg_tenure_days
FROM subscriptions s JOIN accounts a USING (account_id)
WHERE NOT a.is_test AND s.ended_ts_utc IS NOT NULL
GROUP BY s.plan
