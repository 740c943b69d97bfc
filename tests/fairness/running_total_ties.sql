WITH days AS (
  SELECT CAST(d AS DATE) AS signup_date
  FROM generate_series(DATE '2026-01-05',
                       CAST((SELECT as_of_ts_utc FROM dataset_info) AS DATE) - 1, INTERVAL 1 DAY) g(d)
), s AS (
  SELECT CAST(signup_ts_utc AS DATE) AS signup_date, count(*) AS n
  FROM accounts WHERE NOT is_test AND acquisition_channel = 'referral' GROUP BY 1
)
SELECT days.signup_date, coalesce(s.n, 0) AS new_signups,
       sum(coalesce(s.n, 0)) OVER (ORDER BY days.signup_date) AS cumulative_signups
FROM days LEFT JOIN s USING (signup_date) ORDER BY days.signup_date
