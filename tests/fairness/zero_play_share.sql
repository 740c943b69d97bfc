WITH m AS (
  SELECT a.account_id, CAST(date_trunc('month', a.signup_ts_utc) AS DATE) AS signup_month,
         EXISTS (SELECT 1 FROM events e WHERE e.account_id = a.account_id AND e.event_type = 'play_start'
                 AND e.event_ts_utc >= a.signup_ts_utc AND e.event_ts_utc < a.signup_ts_utc + INTERVAL 7 DAY) AS played
  FROM accounts a
  WHERE NOT a.is_test AND a.signup_ts_utc + INTERVAL 7 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
)
SELECT signup_month, count(*) AS members, count(*) FILTER (WHERE NOT played) AS zero_play_members,
       (count(*) FILTER (WHERE NOT played))::DOUBLE / nullif(count(*), 0) AS zero_play_share
FROM m GROUP BY 1 ORDER BY 1
