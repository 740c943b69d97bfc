-- property: plays starting a fraction of a second after 23:59:59, just before the UTC midnights 1 and 7 days before as_of's date
-- why: a range that ends at '... 23:59:59' instead of before the next midnight must lose them
WITH starts AS (
  SELECT e.event_ts_utc, date_trunc('day', i.as_of_ts_utc) AS as_of_day
  FROM events e JOIN accounts a USING (account_id), dataset_info i
  WHERE e.event_type = 'play_start' AND NOT a.is_test
    AND e.event_ts_utc > date_trunc('day', e.event_ts_utc) + INTERVAL '23:59:59'
)
SELECT 'no play_start after 23:59:59 just before the midnight ' || k || ' days before as_of''s date' AS problem
FROM (VALUES (1), (7)) d(k)
WHERE NOT EXISTS (SELECT 1 FROM starts
                  WHERE event_ts_utc < as_of_day - INTERVAL 1 DAY * k
                    AND event_ts_utc > as_of_day - INTERVAL 1 DAY * k - INTERVAL 1 SECOND)
