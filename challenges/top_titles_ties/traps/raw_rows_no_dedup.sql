-- name: Counted raw play_start rows, re-deliveries included
-- explanation: count(*) over events counts every re-delivered copy of a play_start as another view. Titles watched on flaky mobile connections collect retry copies and climb the ranking, so the shelf reflects network quality rather than what members chose to watch.
WITH viewers AS (
  SELECT t.genre, t.title_id, t.title, count(*) AS viewers
  FROM events e JOIN titles t USING (title_id) JOIN accounts a USING (account_id) CROSS JOIN dataset_info d
  WHERE e.event_type = 'play_start' AND NOT a.is_test AND t.genre IS NOT NULL
    AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 14 DAY AND e.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY t.genre, t.title_id, t.title)
SELECT genre, title_id, title, viewers,
       rank() OVER (PARTITION BY genre ORDER BY viewers DESC) AS viewer_rank
FROM viewers
QUALIFY viewer_rank <= 3
