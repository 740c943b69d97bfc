-- name: Counted play_start rows instead of distinct viewers
-- explanation: Re-delivered copies (same event_id, later received_ts_utc) and members who press play twice are counted as new viewers. Flaky mobile connections and retry bursts are most common exactly on a busy premiere night, so the audience is overstated where it matters most, and the known numbers even grow as copies arrive.
WITH plays AS (
  SELECT e.account_id, e.title_id, e.event_ts_utc, e.received_ts_utc
  FROM events e JOIN accounts a ON a.account_id = e.account_id AND NOT a.is_test
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= TIMESTAMP '2026-04-17 07:00:00'
    AND e.event_ts_utc < TIMESTAMP '2026-04-17 07:00:00' + INTERVAL 24 HOUR
),
top_titles AS (
  SELECT title_id FROM plays GROUP BY title_id
  ORDER BY count(*) DESC, title_id LIMIT 3
),
hours AS (
  SELECT h AS hour, TIMESTAMP '2026-04-17 07:00:00' + INTERVAL 1 HOUR * h AS cutoff
  FROM range(1, 25) t(h)
)
SELECT h.hour::INTEGER AS hour, t.title_id,
       count(p.account_id) FILTER (WHERE p.received_ts_utc < h.cutoff) AS viewers_known,
       count(p.account_id) AS viewers_final
FROM hours h CROSS JOIN top_titles t
LEFT JOIN plays p ON p.title_id = t.title_id AND p.event_ts_utc < h.cutoff
GROUP BY h.hour, t.title_id
