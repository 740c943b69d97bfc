-- name: Counted re-delivered events again
-- explanation: The pipeline re-sends events with the same event_id; counting raw rows counts every retry, so event volumes are inflated most for the flaky devices that retry in bursts, and the shares shift toward whichever types those devices send.
SELECT e.event_type,
       count(*) AS events,
       count(*) FILTER (WHERE e.profile_id IS NULL) AS events_without_profile,
       count(*) FILTER (WHERE e.profile_id IS NULL) / count(*) AS share_without_profile
FROM events e JOIN accounts a USING (account_id), dataset_info d
WHERE NOT a.is_test
  AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY AND e.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY e.event_type
