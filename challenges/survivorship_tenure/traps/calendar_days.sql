-- name: Counted calendar midnights crossed instead of elapsed days
-- explanation: date_diff('day', a, b) counts day boundaries crossed, so a subscription from 23:50 to 00:10 counts a full day and one from 00:10 to 23:50 counts none. Tenure gains or loses up to a day per subscription depending on the clock time of starts and ends, which biases short plans and trials most.
SELECT s.plan, count(*) AS subscriptions,
       avg(date_diff('day', s.started_ts_utc, coalesce(s.ended_ts_utc, d.as_of_ts_utc))) AS avg_tenure_days
FROM subscriptions s JOIN accounts a USING (account_id) CROSS JOIN dataset_info d
WHERE NOT a.is_test
GROUP BY s.plan
