-- property: heavy activity around local midnight; sessions that cross local midnight exist
-- why: a session or a play belongs to different days in UTC and local time
WITH s AS (
  SELECT session_id,
         min(timezone(client_tz, event_ts_utc::TIMESTAMPTZ))::DATE AS first_day,
         max(timezone(client_tz, event_ts_utc::TIMESTAMPTZ))::DATE AS last_day
  FROM events GROUP BY 1)
SELECT count(*) FILTER (WHERE first_day <> last_day) AS crossing, count(*) AS sessions
FROM s HAVING count(*) FILTER (WHERE first_day <> last_day) < 0.01 * count(*)
