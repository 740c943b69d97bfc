-- property: primary keys are unique, references resolve, every event lies in [signup, as_of]
-- why: the traps must come from the planted bait, not from broken data
SELECT 'duplicate account_id' AS problem FROM accounts GROUP BY account_id HAVING count(*) > 1
UNION ALL SELECT 'duplicate profile_id' FROM profiles GROUP BY profile_id HAVING count(*) > 1
UNION ALL SELECT 'duplicate device_id' FROM devices GROUP BY device_id HAVING count(*) > 1
UNION ALL SELECT 'event with unknown device' FROM events WHERE device_id NOT IN (SELECT device_id FROM devices)
UNION ALL SELECT 'event with unknown profile' FROM events WHERE profile_id NOT IN (SELECT profile_id FROM profiles)
UNION ALL SELECT 'event with unknown title' FROM events WHERE title_id NOT IN (SELECT title_id FROM titles)
UNION ALL SELECT 'event before signup' FROM events e JOIN accounts a USING (account_id)
  WHERE e.event_ts_utc < a.signup_ts_utc
UNION ALL SELECT 'event or receipt after as_of' FROM events, dataset_info
  WHERE event_ts_utc > as_of_ts_utc OR received_ts_utc > as_of_ts_utc
UNION ALL SELECT 'dataset_info must have one row' FROM dataset_info HAVING count(*) <> 1
UNION ALL SELECT 'profile or device appears after as_of' FROM dataset_info
  WHERE (SELECT max(created_ts_utc) FROM profiles) > as_of_ts_utc
     OR (SELECT max(first_seen_ts_utc) FROM devices) > as_of_ts_utc
