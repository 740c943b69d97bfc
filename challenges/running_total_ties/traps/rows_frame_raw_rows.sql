-- name: ROWS frame over un-aggregated rows: one partial total per tied signup
-- explanation: Ordered by the signup date, every signup of the same day is a tie. A ROWS frame stops at the current row, so a day with four signups gets four rows with four different running totals instead of one. The series has duplicate days, a chart draws a staircase, and whoever picks "the" value for a day picks an arbitrary partial total.
WITH days AS (
  SELECT d::DATE AS signup_date
  FROM dataset_info, range(TIMESTAMP '2026-01-05', as_of_ts_utc::DATE, INTERVAL 1 DAY) r(d))
SELECT DISTINCT days.signup_date,
       count(a.account_id) OVER (PARTITION BY days.signup_date) AS new_signups,
       count(a.account_id) OVER (ORDER BY days.signup_date
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative_signups
FROM days
LEFT JOIN accounts a ON a.signup_ts_utc::DATE = days.signup_date
 AND a.acquisition_channel = 'referral' AND NOT a.is_test
ORDER BY signup_date, cumulative_signups
