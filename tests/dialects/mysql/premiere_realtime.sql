-- MySQL has no range() (a recursive CTE makes the hours) and no FILTER (CASE instead).
WITH RECURSIVE hour_numbers AS (
  SELECT 1 AS h UNION ALL SELECT h + 1 FROM hour_numbers WHERE h < 24
),
rel AS (
  SELECT TIMESTAMP '2026-04-17 07:00:00' AS release_ts
),
plays AS (
  SELECT e.account_id, e.title_id, e.event_ts_utc, e.received_ts_utc
  FROM events e JOIN accounts a ON a.account_id = e.account_id AND NOT a.is_test
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= (SELECT release_ts FROM rel)
    AND e.event_ts_utc < (SELECT release_ts FROM rel) + INTERVAL 24 HOUR
),
top_titles AS (
  SELECT title_id
  FROM plays
  GROUP BY title_id
  ORDER BY count(DISTINCT account_id) DESC, title_id
  LIMIT 3
),
hours AS (
  SELECT h AS hour, (SELECT release_ts FROM rel) + INTERVAL h HOUR AS cutoff
  FROM hour_numbers
)
SELECT h.hour, t.title_id,
       count(DISTINCT CASE WHEN p.received_ts_utc < h.cutoff THEN p.account_id END) AS viewers_known,
       count(DISTINCT p.account_id) AS viewers_final
FROM hours h
CROSS JOIN top_titles t
LEFT JOIN plays p ON p.title_id = t.title_id AND p.event_ts_utc < h.cutoff
GROUP BY h.hour, t.title_id
