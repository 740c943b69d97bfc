-- name: Ranked by plays instead of distinct viewers
-- explanation: Counting play_start events measures how often a title is started, so a series binged by a few members or a film restarted after every interruption outranks a title many members watched once. The shelf rewards rewatching, not reach.
WITH viewers AS (
  SELECT t.genre, t.title_id, t.title, count(DISTINCT e.event_id) AS viewers
  FROM events e JOIN titles t USING (title_id) JOIN accounts a USING (account_id) CROSS JOIN dataset_info d
  WHERE e.event_type = 'play_start' AND NOT a.is_test AND t.genre IS NOT NULL
    AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 14 DAY AND e.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY t.genre, t.title_id, t.title)
SELECT genre, title_id, title, viewers,
       rank() OVER (PARTITION BY genre ORDER BY viewers DESC) AS viewer_rank
FROM viewers
QUALIFY viewer_rank <= 3
