-- name: Counted members whose first week is not over
-- explanation: Members who signed up in the last 7 days before as_of have not had a full week to play, so many of them still show zero plays. The latest month's zero-play share jumps, a false alarm that would send the team looking for an onboarding bug that is only missing time.
WITH per_member AS (
  SELECT a.account_id, date_trunc('month', a.signup_ts_utc)::DATE AS signup_month, count(e.event_id) AS plays
  FROM accounts a
  LEFT JOIN events e
    ON e.account_id = a.account_id AND e.event_type = 'play_start'
   AND e.event_ts_utc >= a.signup_ts_utc AND e.event_ts_utc < a.signup_ts_utc + INTERVAL 7 DAY
  WHERE NOT a.is_test
  GROUP BY 1, 2
)
SELECT signup_month, count(*) AS members,
       count(*) FILTER (WHERE plays = 0) AS zero_play_members,
       count(*) FILTER (WHERE plays = 0) / count(*) AS zero_play_share
FROM per_member
GROUP BY signup_month
ORDER BY signup_month
