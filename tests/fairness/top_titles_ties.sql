WITH p AS (SELECT CAST(as_of_ts_utc AS DATE) AS d FROM dataset_info),
v AS (
  SELECT t.genre, t.title_id, t.title, count(DISTINCT e.account_id) AS viewers
  FROM events e JOIN accounts a USING (account_id) JOIN titles t USING (title_id), p
  WHERE NOT a.is_test AND e.event_type = 'play_start' AND t.genre IS NOT NULL
    AND e.event_ts_utc >= p.d - INTERVAL 14 DAY AND e.event_ts_utc < p.d
  GROUP BY 1, 2, 3
), r AS (SELECT *, rank() OVER (PARTITION BY genre ORDER BY viewers DESC) AS viewer_rank FROM v)
SELECT genre, title_id, title, viewers, viewer_rank FROM r WHERE viewer_rank <= 3
