-- property: signups throughout the window: recent cohorts have not had 28+ days, early ones have 42+
-- why: retention must only count cohorts whose window has closed
SELECT min(signup_ts_utc) AS first_signup, max(signup_ts_utc) AS last_signup
FROM accounts, dataset_info
HAVING max(signup_ts_utc) < any_value(as_of_ts_utc) - INTERVAL 7 DAY
    OR min(signup_ts_utc) > any_value(as_of_ts_utc) - INTERVAL 70 DAY
