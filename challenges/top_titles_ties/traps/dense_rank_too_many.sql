-- name: DENSE_RANK let in titles with three or more titles ahead
-- explanation: dense_rank() does not skip after a tie (1, 2, 2, 3), so a title with three titles ahead of it still gets rank 3 and the "top 3" row grows to five or six titles, diluting the shelf with titles that are not in the top three by any reading.
WITH viewers AS (
  SELECT t.genre, t.title_id, t.title, count(DISTINCT e.account_id) AS viewers
  FROM events e JOIN titles t USING (title_id) JOIN accounts a USING (account_id) CROSS JOIN dataset_info d
  WHERE e.event_type = 'play_start' AND NOT a.is_test AND t.genre IS NOT NULL
    AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 14 DAY AND e.event_ts_utc < d.as_of_ts_utc::DATE
  GROUP BY t.genre, t.title_id, t.title)
SELECT genre, title_id, title, viewers,
       dense_rank() OVER (PARTITION BY genre ORDER BY viewers DESC) AS viewer_rank
FROM viewers
QUALIFY viewer_rank <= 3
