-- property: some devices travel: client_tz differs from the account's home_tz
-- why: "local day" by client_tz and by home_tz give different answers
SELECT count(*) AS abroad
FROM events e JOIN accounts a USING (account_id)
WHERE e.client_tz <> a.home_tz
HAVING count(*) = 0
