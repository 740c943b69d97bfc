-- MySQL has no date_trunc() and no FILTER clause.
WITH members AS (
  SELECT a.account_id, a.signup_ts_utc,
         CAST(DATE_FORMAT(a.signup_ts_utc, '%Y-%m-01') AS DATE) AS signup_month
  FROM accounts a, dataset_info d
  WHERE NOT a.is_test AND a.signup_ts_utc + INTERVAL 7 DAY <= d.as_of_ts_utc
),
per_member AS (
  SELECT m.account_id, m.signup_month, count(DISTINCT e.event_id) AS plays
  FROM members m
  LEFT JOIN events e
    ON e.account_id = m.account_id
   AND e.event_type = 'play_start'
   AND e.event_ts_utc >= m.signup_ts_utc
   AND e.event_ts_utc < m.signup_ts_utc + INTERVAL 7 DAY
  GROUP BY m.account_id, m.signup_month
)
SELECT signup_month,
       count(*) AS members,
       sum(plays = 0) AS zero_play_members,
       sum(plays = 0) / count(*) AS zero_play_share
FROM per_member
GROUP BY signup_month
ORDER BY signup_month
