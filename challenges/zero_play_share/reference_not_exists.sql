-- A 0/1 flag per member with NOT EXISTS, averaged.
SELECT signup_month, count(*) AS members, sum(zero) AS zero_play_members,
       avg(zero) AS zero_play_share
FROM (
  SELECT CAST(date_trunc('month', a.signup_ts_utc) AS DATE) AS signup_month,
         CASE WHEN NOT EXISTS (
           SELECT 1 FROM events e
           WHERE e.account_id = a.account_id AND e.event_type = 'play_start'
             AND e.event_ts_utc >= a.signup_ts_utc
             AND e.event_ts_utc < a.signup_ts_utc + INTERVAL '7 days'
         ) THEN 1 ELSE 0 END AS zero
  FROM accounts a
  WHERE a.is_test = false
    AND a.signup_ts_utc + INTERVAL '7 days' <= (SELECT as_of_ts_utc FROM dataset_info)
) flags
GROUP BY signup_month
ORDER BY signup_month
