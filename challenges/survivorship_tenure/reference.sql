SELECT s.plan,
       count(*) AS subscriptions,
       avg(date_diff('second', s.started_ts_utc, coalesce(s.ended_ts_utc, d.as_of_ts_utc)) / 86400.0)
         AS avg_tenure_days
FROM subscriptions s
JOIN accounts a USING (account_id)
CROSS JOIN dataset_info d
WHERE NOT a.is_test
GROUP BY s.plan
