-- name: Inner join to events lost members with no event at all
-- explanation: Joining accounts to events with an inner join and then looking for members without a first-week play keeps only members who sent at least one event. Signups who never opened the app, the clearest onboarding failures, drop out of both the count and the denominator, so the zero-play share is understated.
WITH per_member AS (
  SELECT a.account_id, date_trunc('month', a.signup_ts_utc)::DATE AS signup_month,
         count(*) FILTER (WHERE e.event_type = 'play_start'
                            AND e.event_ts_utc >= a.signup_ts_utc
                            AND e.event_ts_utc < a.signup_ts_utc + INTERVAL 7 DAY) AS plays
  FROM accounts a JOIN events e ON e.account_id = a.account_id, dataset_info d
  WHERE NOT a.is_test AND a.signup_ts_utc + INTERVAL 7 DAY <= d.as_of_ts_utc
  GROUP BY 1, 2
)
SELECT signup_month, count(*) AS members,
       count(*) FILTER (WHERE plays = 0) AS zero_play_members,
       count(*) FILTER (WHERE plays = 0) / count(*) AS zero_play_share
FROM per_member
GROUP BY signup_month
ORDER BY signup_month
