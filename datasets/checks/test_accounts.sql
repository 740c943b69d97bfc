-- property: test/bot accounts exist and have outsized activity
-- why: leaving them in inflates engagement metrics
WITH per AS (
  SELECT a.is_test, count(e.event_id) / count(DISTINCT a.account_id) AS events_per_account
  FROM accounts a LEFT JOIN events e USING (account_id) GROUP BY 1)
SELECT * FROM per WHERE is_test
  AND events_per_account < 3 * (SELECT events_per_account FROM per WHERE NOT is_test)
UNION ALL
SELECT true, 0 FROM accounts HAVING count(*) FILTER (WHERE is_test) = 0
