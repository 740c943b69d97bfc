-- AT TIME ZONE twice: the naive UTC value becomes an instant, then the member's wall clock.
WITH zones AS (
  SELECT DISTINCT home_tz,
         CAST((SELECT as_of_ts_utc FROM dataset_info) AT TIME ZONE 'UTC' AT TIME ZONE home_tz AS DATE)
           AS local_as_of_day
  FROM accounts
)
SELECT a.home_tz,
       CAST(e.event_ts_utc AT TIME ZONE 'UTC' AT TIME ZONE a.home_tz AS DATE) AS day,
       count(DISTINCT e.account_id) AS active_members
FROM events e
JOIN accounts a ON a.account_id = e.account_id AND a.is_test = false
JOIN zones z ON z.home_tz = a.home_tz
WHERE CAST(e.event_ts_utc AT TIME ZONE 'UTC' AT TIME ZONE a.home_tz AS DATE)
        BETWEEN z.local_as_of_day - 7 AND z.local_as_of_day - 1
GROUP BY 1, 2
