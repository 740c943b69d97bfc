WITH rel AS (
  SELECT TIMESTAMP '2026-04-17 07:00:00' AS release
),
plays AS (
  SELECT e.account_id, e.title_id, e.event_ts_utc, e.received_ts_utc
  FROM events e JOIN accounts a ON a.account_id = e.account_id AND NOT a.is_test
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= (SELECT release FROM rel)
    AND e.event_ts_utc < (SELECT release FROM rel) + INTERVAL 24 HOUR
),
top_titles AS (
  SELECT title_id
  FROM plays
  GROUP BY title_id
  ORDER BY count(DISTINCT account_id) DESC, title_id
  LIMIT 3
),
hours AS (
  SELECT h AS hour, (SELECT release FROM rel) + INTERVAL 1 HOUR * h AS cutoff
  FROM range(1, 25) t(h)
)
SELECT h.hour::INTEGER AS hour, t.title_id,
       count(DISTINCT p.account_id) FILTER (WHERE p.received_ts_utc < h.cutoff) AS viewers_known,
       count(DISTINCT p.account_id) AS viewers_final
FROM hours h
CROSS JOIN top_titles t
LEFT JOIN plays p ON p.title_id = t.title_id AND p.event_ts_utc < h.cutoff
GROUP BY h.hour, t.title_id
