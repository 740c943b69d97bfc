-- property: rows exactly on the cuts queries make: UTC and local midnight, signup + whole days,
-- a 30-minute gap, as_of itself
-- why: < vs <= and off-by-one-day mistakes must change the numbers
WITH starts AS (
  SELECT e.*, a.signup_ts_utc, a.home_tz FROM events e JOIN accounts a USING (account_id)
  WHERE e.event_type = 'play_start'),
gaps AS (
  SELECT event_ts_utc - lag(event_ts_utc) OVER (PARTITION BY session_id ORDER BY event_ts_utc) AS gap
  FROM (SELECT DISTINCT session_id, event_ts_utc FROM events))
SELECT 'no play_start at UTC midnight' AS problem FROM starts
HAVING count(*) FILTER (WHERE event_ts_utc = date_trunc('day', event_ts_utc)) = 0
UNION ALL SELECT 'no play_start at local midnight' FROM starts
HAVING count(*) FILTER (WHERE timezone(client_tz, event_ts_utc::TIMESTAMPTZ)
                            = date_trunc('day', timezone(client_tz, event_ts_utc::TIMESTAMPTZ))) = 0
UNION ALL SELECT 'no play_start at exactly signup + 28 days' FROM starts
HAVING count(*) FILTER (WHERE event_ts_utc = signup_ts_utc + INTERVAL 28 DAY) = 0
UNION ALL SELECT 'no play_start at exactly signup + 35 days' FROM starts
HAVING count(*) FILTER (WHERE event_ts_utc = signup_ts_utc + INTERVAL 35 DAY) = 0
UNION ALL SELECT 'no gap of exactly 30 minutes' FROM gaps
HAVING count(*) FILTER (WHERE gap = INTERVAL 30 MINUTE) = 0
UNION ALL SELECT 'no event exactly at as_of' FROM events, dataset_info
HAVING count(*) FILTER (WHERE event_ts_utc = as_of_ts_utc) = 0
UNION ALL SELECT 'no play_start exactly at UTC midnight 7 days before as_of''s date' FROM events, dataset_info
HAVING count(*) FILTER (WHERE event_type = 'play_start'
                          AND event_ts_utc = date_trunc('day', as_of_ts_utc) - INTERVAL 7 DAY) = 0
UNION ALL SELECT 'no heartbeat exactly at UTC midnight k days before as_of''s date' FROM events, dataset_info
HAVING count(*) FILTER (WHERE event_type = 'heartbeat'
                          AND event_ts_utc IN (date_trunc('day', as_of_ts_utc) - INTERVAL 1 DAY,
                                               date_trunc('day', as_of_ts_utc) - INTERVAL 7 DAY,
                                               date_trunc('day', as_of_ts_utc) - INTERVAL 14 DAY,
                                               date_trunc('day', as_of_ts_utc) - INTERVAL 28 DAY)) = 0
