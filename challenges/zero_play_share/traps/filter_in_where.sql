-- name: Filtered the LEFT JOIN's events in WHERE (it became an INNER JOIN)
-- explanation: With event_type and the first-week window in WHERE, the rows the LEFT JOIN kept for members without a play (all NULLs) fail the filter and are dropped. Only members who played remain, so the zero-play share is 0% every month and onboarding looks flawless while a real share of new members never starts a title.
SELECT date_trunc('month', a.signup_ts_utc)::DATE AS signup_month,
       count(DISTINCT a.account_id) AS members,
       count(DISTINCT a.account_id) FILTER (WHERE e.event_id IS NULL) AS zero_play_members,
       count(DISTINCT a.account_id) FILTER (WHERE e.event_id IS NULL) / count(DISTINCT a.account_id) AS zero_play_share
FROM accounts a
LEFT JOIN events e ON e.account_id = a.account_id, dataset_info d
WHERE NOT a.is_test AND a.signup_ts_utc + INTERVAL 7 DAY <= d.as_of_ts_utc
  AND e.event_type = 'play_start'
  AND e.event_ts_utc >= a.signup_ts_utc AND e.event_ts_utc < a.signup_ts_utc + INTERVAL 7 DAY
GROUP BY 1
ORDER BY 1
