-- property: on the local day each home zone changes its clocks (inside the window), some of its members watch abroad (client_tz is not home_tz)
-- why: hours of a DST day must be read on the home clock: converting with client_tz moves the travellers' viewing to other hours and days
WITH window_days AS (
  SELECT DISTINCT a.home_tz AS zone, day::TIMESTAMP AS day
  FROM accounts a, dataset_info d,
       range((SELECT min(signup_ts_utc) FROM accounts)::DATE, d.as_of_ts_utc::DATE, INTERVAL 1 DAY) r(day)
), changes AS (
  SELECT zone, day FROM window_days
  WHERE date_diff('second', timezone(zone, day), timezone(zone, day + INTERVAL 1 DAY)) <> 86400
)
SELECT c.zone, c.day FROM changes c
WHERE NOT EXISTS (
  SELECT 1 FROM events e JOIN accounts a USING (account_id)
  WHERE a.home_tz = c.zone AND NOT a.is_test AND e.event_type = 'heartbeat'
    AND e.client_tz <> a.home_tz
    AND timezone(a.home_tz, e.event_ts_utc::TIMESTAMPTZ)::DATE = c.day::DATE)
