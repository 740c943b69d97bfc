-- name: Kept test and bot accounts
-- explanation: Internal QA and bot accounts play constantly; counting them adds "viewers" that are not customers and makes every daily number slightly too high, worse on days the QA team runs load tests.
SELECT e.event_ts_utc::DATE AS day, count(DISTINCT e.account_id) AS viewers
FROM events e, dataset_info d
WHERE e.event_type = 'play_start'
  AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY
  AND e.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY 1
