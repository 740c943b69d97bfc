-- name: Counted re-delivered copies as extra plays
-- explanation: Each re-sent copy of a play_start has the same event_id and a later received_ts_utc. Counting rows counts the copies: both the snapshot and the final number run high, most on devices with flaky connections, and the late share mixes real late plays with retries of plays the dashboard already had.
WITH plays AS (
  SELECT e.event_id, e.received_ts_utc, d.device_type
  FROM events e
  JOIN titles t USING (title_id)
  JOIN devices d USING (device_id)
  JOIN accounts a ON a.account_id = e.account_id
  WHERE e.event_type = 'play_start' AND t.title = 'The Last Lighthouse' AND NOT a.is_test
    AND e.event_ts_utc >= TIMESTAMP '2026-04-17 07:00:00'
    AND e.event_ts_utc < TIMESTAMP '2026-04-17 18:00:00'
)
SELECT device_type,
       count(*) FILTER (WHERE received_ts_utc <= TIMESTAMP '2026-04-17 18:00:00') AS plays_shown,
       count(*) AS plays_final,
       count(*) FILTER (WHERE received_ts_utc > TIMESTAMP '2026-04-17 18:00:00') / count(*) AS late_share
FROM plays
GROUP BY 1
