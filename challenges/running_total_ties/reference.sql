WITH days AS (
  SELECT d::DATE AS signup_date
  FROM dataset_info, range(TIMESTAMP '2026-01-05', as_of_ts_utc::DATE, INTERVAL 1 DAY) r(d)
),
daily AS (
  SELECT signup_ts_utc::DATE AS signup_date, count(*) AS n
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
