-- property: a premiere inside the window with a burst of viewing in its first 24 hours, much of it late
-- why: hour-by-hour popularity "as received" differs from the final numbers
WITH premiere AS (
  SELECT t.title_id, t.release_date FROM titles t, dataset_info d
  WHERE t.release_date > (SELECT min(signup_ts_utc) FROM accounts)::DATE
    AND t.release_date < d.as_of_ts_utc::DATE),
first_day AS (
  SELECT e.* FROM events e JOIN premiere p USING (title_id)
  WHERE e.event_type = 'play_start' AND e.event_ts_utc < p.release_date + INTERVAL 2 DAY)
SELECT 'no premiere title' AS problem FROM premiere HAVING count(*) <> 1
UNION ALL
SELECT 'no burst' FROM first_day HAVING count(DISTINCT account_id) < 0.1 * (SELECT count(*) FROM accounts)
UNION ALL
SELECT 'not late enough' FROM first_day
HAVING avg((received_ts_utc > event_ts_utc + INTERVAL 1 HOUR)::INT) < 0.15
