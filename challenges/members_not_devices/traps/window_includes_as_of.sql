-- name: Closed range: the as_of day slipped in
-- explanation: Ending the window with <= (or BETWEEN) the as_of date keeps the events sitting exactly at as_of midnight, and a partial as_of day becomes an eighth "day" with a tiny count that drags any daily average down.
SELECT e.event_ts_utc::DATE AS day, count(DISTINCT e.account_id) AS viewers
FROM events e JOIN accounts a USING (account_id), dataset_info d
WHERE e.event_type = 'play_start' AND NOT a.is_test
  AND e.event_ts_utc BETWEEN d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND d.as_of_ts_utc
GROUP BY 1
