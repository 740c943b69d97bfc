WITH x AS (
  SELECT a.account_id, a.home_tz,
         CAST(timezone(a.home_tz, timezone('UTC', e.event_ts_utc)) AS DATE) AS day,
         CAST(timezone(a.home_tz, timezone('UTC', (SELECT as_of_ts_utc FROM dataset_info))) AS DATE) AS l
  FROM events e JOIN accounts a USING (account_id) WHERE NOT a.is_test
)
SELECT home_tz, day, count(DISTINCT account_id) AS active_members
FROM x WHERE day >= l - 7 AND day < l GROUP BY 1, 2
