-- property: subscriptions on the as_of boundary: some start exactly at as_of, some end exactly at it
-- why: "active at as_of" is started <= as_of < ended (or still open): < for <= or >= for > changes the subscriber count
SELECT problem FROM (
  SELECT 'no subscription starts exactly at as_of' AS problem
  FROM subscriptions s, dataset_info d WHERE s.started_ts_utc = d.as_of_ts_utc HAVING count(*) = 0
  UNION ALL
  SELECT 'no subscription ends exactly at as_of'
  FROM subscriptions s, dataset_info d WHERE s.ended_ts_utc = d.as_of_ts_utc HAVING count(*) = 0
)
