-- name: Deduplicated on the latest copy before cutting at the snapshot
-- explanation: Keeping the last-received copy of each event and then asking whether it arrived by 18:00 drops every play whose first copy the dashboard already had but whose retry came later. The snapshot is under-stated and the "late" share blames the pipeline for plays that were on screen at 18:00.
WITH latest AS (
  SELECT * FROM events
  WHERE event_type = 'play_start'
  QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_ts_utc DESC) = 1
),
plays AS (
  SELECT l.event_id, l.received_ts_utc, d.device_type
  FROM latest l
  JOIN titles t USING (title_id)
  JOIN devices d USING (device_id)
  JOIN accounts a ON a.account_id = l.account_id
  WHERE t.title = 'The Last Lighthouse' AND NOT a.is_test
    AND l.event_ts_utc >= TIMESTAMP '2026-04-17 07:00:00'
    AND l.event_ts_utc < TIMESTAMP '2026-04-17 18:00:00'
)
SELECT device_type,
       count(*) FILTER (WHERE received_ts_utc <= TIMESTAMP '2026-04-17 18:00:00') AS plays_shown,
       count(*) AS plays_final,
       count(*) FILTER (WHERE received_ts_utc > TIMESTAMP '2026-04-17 18:00:00') / count(*) AS late_share
FROM plays
GROUP BY 1
