-- name: Rebuilt the snapshot from event time, so it shows the final count
-- explanation: Filtering event_ts_utc <= 18:00 does not reproduce what the dashboard knew at 18:00: offline and batched plays happened before 18:00 but arrived later. The "snapshot" equals the final number, the late share is zero, and the post-mortem concludes the dashboard was right when it under-reported mobile and TV viewing by a tenth.
WITH plays AS (
  SELECT e.event_id, e.event_ts_utc, d.device_type
  FROM events e
  JOIN titles t USING (title_id)
  JOIN devices d USING (device_id)
  JOIN accounts a ON a.account_id = e.account_id
  WHERE e.event_type = 'play_start' AND t.title = 'The Last Lighthouse' AND NOT a.is_test
    AND e.event_ts_utc >= TIMESTAMP '2026-04-17 07:00:00'
    AND e.event_ts_utc < TIMESTAMP '2026-04-17 18:00:00'
)
SELECT device_type,
       count(DISTINCT event_id) FILTER (WHERE event_ts_utc <= TIMESTAMP '2026-04-17 18:00:00') AS plays_shown,
       count(DISTINCT event_id) AS plays_final,
       (count(DISTINCT event_id) - count(DISTINCT event_id) FILTER (WHERE event_ts_utc <= TIMESTAMP '2026-04-17 18:00:00'))
         / count(DISTINCT event_id) AS late_share
FROM plays
GROUP BY 1
