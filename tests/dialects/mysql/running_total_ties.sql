-- MySQL has no range() table function: a recursive CTE makes the days.
WITH RECURSIVE days AS (
  SELECT DATE '2026-01-05' AS signup_date
  UNION ALL
  SELECT signup_date + INTERVAL 1 DAY FROM days, dataset_info
  WHERE signup_date + INTERVAL 1 DAY < DATE(as_of_ts_utc)
),
daily AS (
  SELECT DATE(signup_ts_utc) AS signup_date, count(*) AS n
  FROM accounts
  WHERE NOT is_test AND acquisition_channel = 'referral'
  GROUP BY 1
)
SELECT days.signup_date,
       coalesce(daily.n, 0) AS new_signups,
       sum(coalesce(daily.n, 0)) OVER (ORDER BY days.signup_date
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative_signups
FROM days
LEFT JOIN daily ON daily.signup_date = days.signup_date
ORDER BY days.signup_date
