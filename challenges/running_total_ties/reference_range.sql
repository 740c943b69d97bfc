-- Window over raw rows: the default RANGE frame includes every row tied on the date.
WITH days AS (
  SELECT CAST(g.d AS DATE) AS signup_date
  FROM generate_series(DATE '2026-01-05',
                       (SELECT CAST(as_of_ts_utc AS DATE) - 1 FROM dataset_info),
                       INTERVAL 1 DAY) g(d)
)
SELECT DISTINCT days.signup_date,
       count(a.account_id) OVER (PARTITION BY days.signup_date) AS new_signups,
       count(a.account_id) OVER (ORDER BY days.signup_date) AS cumulative_signups
FROM days
LEFT JOIN accounts a
  ON CAST(a.signup_ts_utc AS DATE) = days.signup_date
 AND a.acquisition_channel = 'referral' AND a.is_test = false
ORDER BY days.signup_date
