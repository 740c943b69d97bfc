-- name: Built local days from UTC-hour buckets
-- explanation: Truncating to the UTC hour first (an hourly rollup) and converting the bucket afterwards puts a whole UTC hour on one local day. In India a local day starts at hh:30 UTC, in Nepal at hh:15, so the first 30 or 45 minutes of every local day are booked to the previous day: midnight viewing, a big share in these markets, lands on the wrong date.
WITH plays AS (
  SELECT DISTINCT ON (e.event_id) e.event_id, a.home_tz,
         date_trunc('hour', e.event_ts_utc) AS utc_hour
  FROM events e
  JOIN accounts a ON a.account_id = e.account_id
  WHERE e.event_type = 'play_start' AND NOT a.is_test
    AND a.home_tz IN ('Asia/Kolkata', 'Asia/Kathmandu')
),
hourly AS (
  SELECT home_tz, utc_hour, count(*) AS plays FROM plays GROUP BY 1, 2
),
daily AS (
  SELECT h.home_tz,
         CAST(timezone(h.home_tz, h.utc_hour::TIMESTAMPTZ) AS DATE) AS day,
         CAST(timezone(h.home_tz, d.as_of_ts_utc::TIMESTAMPTZ) AS DATE) AS as_of_day,
         h.plays
  FROM hourly h CROSS JOIN dataset_info d
)
SELECT home_tz, day, sum(plays) AS plays
FROM daily
WHERE day >= as_of_day - 7 AND day < as_of_day
GROUP BY home_tz, day
