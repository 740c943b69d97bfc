WITH params AS (
  SELECT TIMESTAMP '2026-04-17 07:00:00' AS release_ts,
         TIMESTAMP '2026-04-17 18:00:00' AS snapshot_ts
),
plays AS (
  SELECT e.event_id, d.device_type, e.received_ts_utc
  FROM events e
  JOIN titles t USING (title_id)
  JOIN devices d USING (device_id)
  JOIN accounts a ON a.account_id = e.account_id
  CROSS JOIN params p
  WHERE e.event_type = 'play_start' AND t.title = 'The Last Lighthouse' AND NOT a.is_test
    AND e.event_ts_utc >= p.release_ts AND e.event_ts_utc < p.snapshot_ts
),
per_type AS (
  SELECT pl.device_type,
         count(DISTINCT CASE WHEN pl.received_ts_utc <= p.snapshot_ts THEN pl.event_id END) AS plays_shown,
         count(DISTINCT pl.event_id) AS plays_final
  FROM plays pl CROSS JOIN params p
  GROUP BY 1
)
SELECT device_type, plays_shown, plays_final,
       (plays_final - plays_shown) / plays_final AS late_share
FROM per_type
