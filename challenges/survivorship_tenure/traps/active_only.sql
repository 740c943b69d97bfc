-- name: Averaged only the subscriptions still active
-- explanation: Looking only at current subscribers keeps the survivors and drops everyone who left: the lifetime of churned subscriptions never enters the average. The number mixes long-time survivors with brand-new starts, says nothing about how long a subscription lasts, and moves with the signup mix instead of with retention.
SELECT s.plan, count(*) AS subscriptions,
       avg(date_diff('second', s.started_ts_utc, d.as_of_ts_utc) / 86400.0) AS avg_tenure_days
FROM subscriptions s JOIN accounts a USING (account_id) CROSS JOIN dataset_info d
WHERE NOT a.is_test AND s.ended_ts_utc IS NULL
GROUP BY s.plan
