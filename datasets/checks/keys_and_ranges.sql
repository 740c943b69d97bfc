-- property: primary keys are unique, references resolve, every event lies in [signup, as_of]; every account has a device and a profile; an account's subscriptions are periods that do not overlap, within [signup, as_of]; an account is logged in a variant of an experiment at most once; play events carry a title_id, and only heartbeat and play_stop carry watch_seconds
-- why: the traps must come from the planted bait, not from broken data; drills rely on this data contract when they declare a mutant equivalent
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
UNION ALL SELECT 'account without a device' FROM accounts a
  WHERE NOT EXISTS (SELECT 1 FROM devices v WHERE v.account_id = a.account_id)
UNION ALL SELECT 'account without a profile' FROM accounts a
  WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.account_id = a.account_id)
UNION ALL SELECT 'subscription outside [signup, as_of] or not ending after its start'
  FROM subscriptions s JOIN accounts a USING (account_id), dataset_info d
  WHERE s.started_ts_utc < a.signup_ts_utc OR s.started_ts_utc > d.as_of_ts_utc
     OR s.ended_ts_utc > d.as_of_ts_utc OR s.ended_ts_utc <= s.started_ts_utc
UNION ALL SELECT 'overlapping subscriptions of one account' FROM subscriptions s JOIN subscriptions p
  ON p.account_id = s.account_id AND p.subscription_id <> s.subscription_id
 AND p.started_ts_utc <= s.started_ts_utc AND (p.ended_ts_utc IS NULL OR p.ended_ts_utc > s.started_ts_utc)
UNION ALL SELECT 'account logged twice in one variant' FROM experiment_assignments
  GROUP BY experiment_id, account_id, variant HAVING count(*) > 1
UNION ALL SELECT 'watch_seconds outside heartbeat and play_stop' FROM events
  WHERE watch_seconds IS NOT NULL AND event_type NOT IN ('heartbeat', 'play_stop')
UNION ALL SELECT 'play event without a title' FROM events
  WHERE title_id IS NULL AND event_type IN ('play_start', 'heartbeat', 'play_stop')
