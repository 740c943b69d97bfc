-- sqlglot writes DuckDB's hour() for EXTRACT(HOUR ...), which PostgreSQL lacks.
-- sum(integer) is a bigint in PostgreSQL: divide by a numeric to keep the fraction.
WITH watch AS (
  SELECT DISTINCT ON (event_id) event_id, account_id, event_ts_utc, watch_seconds
  FROM events
  WHERE event_type IN ('heartbeat', 'play_stop')
),
local AS (
  SELECT (w.event_ts_utc AT TIME ZONE 'UTC') AT TIME ZONE a.home_tz AS local_ts, w.watch_seconds
  FROM watch w JOIN accounts a USING (account_id)
  WHERE a.home_tz = 'America/New_York' AND NOT a.is_test
)
SELECT EXTRACT(HOUR FROM local_ts)::int AS local_hour, sum(watch_seconds) / 3600.0 AS watch_hours
FROM local
WHERE local_ts::date = DATE '2026-03-08'
GROUP BY 1
