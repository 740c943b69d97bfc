-- MySQL has no DISTINCT ON and MariaDB's MEDIAN() is a window function only.
WITH watch AS (
  SELECT event_id, account_id, event_ts_utc, watch_seconds
  FROM (SELECT event_id, account_id, event_ts_utc, watch_seconds,
               row_number() OVER (PARTITION BY event_id) AS copy_no
        FROM events WHERE event_type IN ('heartbeat', 'play_stop')) AS copies
  WHERE copy_no = 1
),
member_days AS (
  SELECT w.account_id, DATE(w.event_ts_utc) AS day, sum(w.watch_seconds) / 60 AS minutes
  FROM watch w
  JOIN accounts a USING (account_id)
  CROSS JOIN dataset_info d
  WHERE NOT a.is_test
    AND w.event_ts_utc >= DATE(d.as_of_ts_utc) - INTERVAL 7 DAY
    AND w.event_ts_utc < DATE(d.as_of_ts_utc)
  GROUP BY w.account_id, DATE(w.event_ts_utc)
)
SELECT DISTINCT day, count(*) OVER (PARTITION BY day) AS active_members,
       median(minutes) OVER (PARTITION BY day) AS median_watch_minutes
FROM member_days
ORDER BY day
