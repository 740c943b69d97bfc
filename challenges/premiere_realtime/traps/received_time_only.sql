-- name: Cut the live view by arrival time only, without bounding event time
-- explanation: "Everything received since the release" also lets in viewing that happened before the release and synced afterwards (offline sessions from the night before), so the other titles' live numbers are inflated and the premiere's share of attention is understated. A live view needs both clocks: happened in the window and arrived by the cut-off.
WITH plays AS (
  SELECT e.account_id, e.title_id, e.event_ts_utc, e.received_ts_utc
  FROM events e JOIN accounts a ON a.account_id = e.account_id AND NOT a.is_test
  WHERE e.event_type = 'play_start'
),
in_window AS (
  SELECT * FROM plays
  WHERE event_ts_utc >= TIMESTAMP '2026-04-17 07:00:00'
    AND event_ts_utc < TIMESTAMP '2026-04-17 07:00:00' + INTERVAL 24 HOUR
),
top_titles AS (
  SELECT title_id FROM in_window GROUP BY title_id
  ORDER BY count(DISTINCT account_id) DESC, title_id LIMIT 3
),
hours AS (
  SELECT h AS hour, TIMESTAMP '2026-04-17 07:00:00' + INTERVAL 1 HOUR * h AS cutoff
  FROM range(1, 25) t(h)
)
SELECT h.hour::INTEGER AS hour, t.title_id,
       (SELECT count(DISTINCT p.account_id) FROM plays p
        WHERE p.title_id = t.title_id
          AND p.received_ts_utc >= TIMESTAMP '2026-04-17 07:00:00'
          AND p.received_ts_utc < h.cutoff) AS viewers_known,
       (SELECT count(DISTINCT p.account_id) FROM in_window p
        WHERE p.title_id = t.title_id AND p.event_ts_utc < h.cutoff) AS viewers_final
FROM hours h CROSS JOIN top_titles t
