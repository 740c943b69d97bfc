WITH ev AS (
  SELECT DISTINCT e.event_id, e.device_id, e.event_ts_utc
  FROM events e JOIN accounts a USING (account_id) WHERE NOT a.is_test
), g AS (
  SELECT *, CASE WHEN lag(event_ts_utc) OVER w IS NULL
                   OR event_ts_utc - lag(event_ts_utc) OVER w > INTERVAL 30 MINUTE THEN 1 ELSE 0 END AS new_s
  FROM ev WINDOW w AS (PARTITION BY device_id ORDER BY event_ts_utc, event_id)
), s AS (
  SELECT *, sum(new_s) OVER (PARTITION BY device_id ORDER BY event_ts_utc, event_id ROWS UNBOUNDED PRECEDING) AS sid
  FROM g
), sess AS (
  SELECT device_id, sid, CAST(min(event_ts_utc) AS DATE) AS session_date, count(*) AS n FROM s GROUP BY 1, 2
)
SELECT session_date, count(*) AS sessions, sum(n) AS events FROM sess GROUP BY 1 ORDER BY 1
