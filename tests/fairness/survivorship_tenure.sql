SELECT s.plan, count(*) AS subscriptions,
       avg((epoch(coalesce(s.ended_ts_utc, i.as_of_ts_utc)) - epoch(s.started_ts_utc)) / 86400.0) AS avg_tenure_days
FROM subscriptions s JOIN accounts a USING (account_id), dataset_info i
WHERE NOT a.is_test GROUP BY 1
