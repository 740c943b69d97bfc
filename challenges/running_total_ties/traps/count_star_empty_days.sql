-- name: count(*) over the calendar LEFT JOIN counted empty days as one signup
-- explanation: A day with no referral signup still has one row after the LEFT JOIN, with NULLs on the accounts side. count(*) counts that row, so every quiet day reports one signup and the running total is inflated by the number of quiet days: the referral programme looks steadily alive when it is not.
WITH days AS (
  SELECT d::DATE AS signup_date
  FROM dataset_info, range(TIMESTAMP '2026-01-05', as_of_ts_utc::DATE, INTERVAL 1 DAY) r(d)),
daily AS (
  SELECT days.signup_date, count(*) AS new_signups
  FROM days LEFT JOIN accounts a ON a.signup_ts_utc::DATE = days.signup_date
   AND a.acquisition_channel = 'referral' AND NOT a.is_test
  GROUP BY 1)
SELECT signup_date, new_signups, sum(new_signups) OVER (ORDER BY signup_date) AS cumulative_signups
FROM daily ORDER BY signup_date
