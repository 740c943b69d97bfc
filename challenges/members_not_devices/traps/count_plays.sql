-- name: Counted plays, not distinct viewers
-- explanation: COUNT(*) over play_start events counts plays (and re-delivered copies of them). A member who starts three episodes counts three times, so "viewers" measures activity, not reach.
SELECT e.event_ts_utc::DATE AS day, count(*) AS viewers
FROM events e JOIN accounts a USING (account_id), dataset_info d
WHERE e.event_type = 'play_start' AND NOT a.is_test
  AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY
  AND e.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY 1
