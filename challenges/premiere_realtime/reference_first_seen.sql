-- Per viewer and title: when the first play happened and when the first copy of any
-- such play arrived; a viewer is known at a cut-off if some play is both.
WITH release AS (
  SELECT max(release_date)::TIMESTAMP + INTERVAL 7 HOUR AS ts FROM titles
  WHERE title_id = (SELECT max(title_id) FROM titles)
),
plays AS (
  SELECT e.account_id, e.title_id, e.event_ts_utc, e.received_ts_utc
  FROM events e, release r
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= r.ts AND e.event_ts_utc < r.ts + INTERVAL '24 hours'
    AND e.account_id IN (SELECT account_id FROM accounts WHERE is_test = false)
),
ranked AS (
  SELECT title_id, row_number() OVER (ORDER BY count(DISTINCT account_id) DESC, title_id) AS rk
  FROM plays GROUP BY title_id
),
grid AS (
  SELECT g.hour, r.title_id, (SELECT ts FROM release) + to_hours(g.hour) AS cutoff
  FROM generate_series(1, 24) g(hour) CROSS JOIN ranked r
  WHERE r.rk <= 3
)
SELECT g.hour, g.title_id,
       (SELECT count(DISTINCT p.account_id) FROM plays p
        WHERE p.title_id = g.title_id AND p.event_ts_utc < g.cutoff
          AND p.received_ts_utc < g.cutoff) AS viewers_known,
       (SELECT count(DISTINCT p.account_id) FROM plays p
        WHERE p.title_id = g.title_id AND p.event_ts_utc < g.cutoff) AS viewers_final
FROM grid g
