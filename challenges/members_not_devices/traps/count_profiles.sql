-- name: Counted profiles instead of members
-- explanation: COUNT(DISTINCT profile_id) counts viewer profiles inside accounts (a family has several), so the audience looks bigger than the paying member base; a decision on per-member revenue or capacity would be off by the profiles-per-account factor.
SELECT e.event_ts_utc::DATE AS day, count(DISTINCT e.profile_id) AS viewers
FROM events e JOIN accounts a USING (account_id), dataset_info d
WHERE e.event_type = 'play_start' AND NOT a.is_test
  AND e.event_ts_utc >= d.as_of_ts_utc::DATE - INTERVAL 7 DAY
  AND e.event_ts_utc < d.as_of_ts_utc::DATE
GROUP BY 1
