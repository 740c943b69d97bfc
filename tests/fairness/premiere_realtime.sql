WITH rel AS (SELECT TIMESTAMP '2026-04-17 07:00:00' AS r),
p AS (
  SELECT e.account_id, e.title_id, e.event_ts_utc, e.received_ts_utc
  FROM events e JOIN accounts a USING (account_id), rel
  WHERE NOT a.is_test AND e.event_type = 'play_start'
    AND e.event_ts_utc >= rel.r AND e.event_ts_utc < rel.r + INTERVAL 24 HOUR
), hours AS (SELECT CAST(range AS INTEGER) AS hour FROM range(1, 25)),
top AS (
  SELECT title_id FROM p GROUP BY title_id
  ORDER BY count(DISTINCT account_id) DESC, title_id LIMIT 3
)
SELECT h.hour, top.title_id,
  (SELECT count(DISTINCT p.account_id) FROM p, rel WHERE p.title_id = top.title_id
     AND p.event_ts_utc < rel.r + h.hour * INTERVAL 1 HOUR
     AND p.received_ts_utc < rel.r + h.hour * INTERVAL 1 HOUR) AS viewers_known,
  (SELECT count(DISTINCT p.account_id) FROM p, rel WHERE p.title_id = top.title_id
     AND p.event_ts_utc < rel.r + h.hour * INTERVAL 1 HOUR) AS viewers_final
FROM hours h CROSS JOIN top
