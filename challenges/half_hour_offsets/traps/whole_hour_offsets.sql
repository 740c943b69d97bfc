-- name: Rounded the offsets to whole hours
-- explanation: India is UTC+5:30 and Nepal UTC+5:45. Adding a whole 6 hours starts each local day 30 (or 15) minutes early, so late-evening viewing, which peaks right before midnight, moves to the next day: daily totals shift between days and any weekday comparison is off.
WITH plays AS (
  SELECT DISTINCT ON (e.event_id) e.event_id, a.home_tz,
         CAST(e.event_ts_utc + INTERVAL 6 HOUR AS DATE) AS day,
         CAST(d.as_of_ts_utc + INTERVAL 6 HOUR AS DATE) AS as_of_day
  FROM events e
  JOIN accounts a ON a.account_id = e.account_id
  CROSS JOIN dataset_info d
  WHERE e.event_type = 'play_start' AND NOT a.is_test
    AND a.home_tz IN ('Asia/Kolkata', 'Asia/Kathmandu')
)
SELECT home_tz, day, count(*) AS plays
FROM plays
WHERE day >= as_of_day - 7 AND day < as_of_day
GROUP BY home_tz, day
