-- property: 8+ IANA zones incl. a half-hour offset, no-DST, southern-hemisphere DST, US and EU
-- why: local days cut in UTC are wrong for most members
WITH needed(zone) AS (VALUES ('Asia/Kolkata'), ('Asia/Tokyo'), ('Australia/Sydney'),
                             ('America/New_York'), ('Europe/London'))
SELECT 'missing zone' AS problem, zone FROM needed
WHERE zone NOT IN (SELECT home_tz FROM accounts)
UNION ALL
SELECT 'fewer than 8 zones', count(DISTINCT home_tz)::VARCHAR FROM accounts
HAVING count(DISTINCT home_tz) < 8
