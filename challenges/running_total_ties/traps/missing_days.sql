-- name: Left out the days without a referral signup
-- explanation: Grouping the signups by day only produces days that had signups. A third of the days are simply missing, so a chart spaces the points evenly as if no day was quiet, and a "last 7 rows" average actually spans ten or more days.
WITH daily AS (
  SELECT signup_ts_utc::DATE AS signup_date, count(*) AS new_signups
  FROM accounts, dataset_info
  WHERE NOT is_test AND acquisition_channel = 'referral'
    AND signup_ts_utc >= TIMESTAMP '2026-01-05' AND signup_ts_utc::DATE < as_of_ts_utc::DATE
  GROUP BY 1)
SELECT signup_date, new_signups,
       sum(new_signups) OVER (ORDER BY signup_date) AS cumulative_signups
FROM daily ORDER BY signup_date
