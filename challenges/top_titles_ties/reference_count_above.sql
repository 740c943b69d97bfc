-- RANK spelled out: 1 + the number of titles in the genre with strictly more viewers.
WITH period AS (
  SELECT CAST(as_of_ts_utc AS DATE) - 14 AS lo, CAST(as_of_ts_utc AS DATE) AS hi FROM dataset_info
),
watched AS (
  SELECT DISTINCT e.title_id, e.account_id
  FROM events e, period p
  WHERE e.event_type = 'play_start'
    AND e.event_ts_utc >= p.lo AND e.event_ts_utc < p.hi
    AND e.account_id IN (SELECT account_id FROM accounts WHERE is_test = false)
),
per_title AS (
  SELECT t.genre, t.title_id, t.title, count(*) AS viewers
  FROM watched w JOIN titles t ON t.title_id = w.title_id
  WHERE t.genre IS NOT NULL
  GROUP BY t.genre, t.title_id, t.title
),
ranked AS (
  SELECT x.*, 1 + (SELECT count(*) FROM per_title y
                   WHERE y.genre = x.genre AND y.viewers > x.viewers) AS viewer_rank
  FROM per_title x
)
SELECT genre, title_id, title, viewers, viewer_rank FROM ranked WHERE viewer_rank <= 3
