-- property: for each DST change in the window, the zone's members are active within an hour of local midnight in the week before it
-- why: a 7-day window that crosses the change, converted with the offset of its last day (the offset at as_of), moves exactly those events to the wrong local day
WITH window_days AS (
  SELECT DISTINCT a.home_tz AS zone, day::TIMESTAMP AS day
  FROM accounts a, dataset_info d,
       range((SELECT min(signup_ts_utc) FROM accounts)::DATE + 7, d.as_of_ts_utc::DATE, INTERVAL 1 DAY) r(day)
), changes AS (
  SELECT zone, day FROM window_days
  WHERE date_diff('second', timezone(zone, day), timezone(zone, day + INTERVAL 1 DAY)) <> 86400
)
SELECT c.zone, c.day FROM changes c
WHERE NOT EXISTS (
  SELECT 1 FROM events e JOIN accounts a USING (account_id)
  WHERE a.home_tz = c.zone AND NOT a.is_test
    AND timezone(a.home_tz, e.event_ts_utc::TIMESTAMPTZ) >= c.day - INTERVAL 7 DAY
    AND timezone(a.home_tz, e.event_ts_utc::TIMESTAMPTZ) < c.day
    AND (hour(timezone(a.home_tz, e.event_ts_utc::TIMESTAMPTZ)) IN (23, 0)))
