-- property: late arrivals change the premiere day's top 3: ranked by viewers in the premiere's first 24 hours, the top 3 titles differ from the top 3 by the viewers known (received) at release + 24 h
-- why: a live chart built from what had arrived is not the final chart; ranking by known viewers must give other titles
WITH premiere AS (
  SELECT t.title_id, t.release_date::TIMESTAMP AS release_day FROM titles t, dataset_info d
  WHERE t.release_date > (SELECT min(signup_ts_utc) FROM accounts)::DATE
    AND t.release_date < d.as_of_ts_utc::DATE
), first_plays AS (  -- the premiere's first 24 hours start with its first play
  SELECT min(e.event_ts_utc) AS release_ts FROM events e JOIN premiere p USING (title_id)
  WHERE e.event_type = 'play_start' AND e.event_ts_utc >= p.release_day
), day_plays AS (
  SELECT e.title_id, e.account_id, e.received_ts_utc < f.release_ts + INTERVAL 1 DAY AS known
  FROM events e JOIN accounts a USING (account_id), first_plays f
  WHERE NOT a.is_test AND e.event_type = 'play_start'
    AND e.event_ts_utc >= f.release_ts AND e.event_ts_utc < f.release_ts + INTERVAL 1 DAY
), ranked AS (
  SELECT title_id,
         row_number() OVER (ORDER BY count(DISTINCT account_id) DESC, title_id) AS by_final,
         row_number() OVER (ORDER BY count(DISTINCT account_id) FILTER (WHERE known) DESC, title_id) AS by_known
  FROM day_plays GROUP BY title_id
)
SELECT 'the top 3 by known viewers is the final top 3' AS problem
FROM ranked
HAVING list_sort(list(title_id) FILTER (WHERE by_final <= 3))
     = list_sort(list(title_id) FILTER (WHERE by_known <= 3))
