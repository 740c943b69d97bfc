-- property: churn and reactivation: several subscriptions per account, both end reasons
-- why: churn rates need the right denominator; reactivated accounts are not new
SELECT 'no reactivated account' AS problem FROM (SELECT account_id FROM subscriptions GROUP BY 1 HAVING count(*) >= 2)
HAVING count(*) = 0
UNION ALL SELECT 'missing end reason ' || r FROM (VALUES ('voluntary'), ('payment_failed')) v(r)
WHERE r NOT IN (SELECT end_reason FROM subscriptions WHERE end_reason IS NOT NULL)
UNION ALL SELECT 'ended subscription without reason' FROM subscriptions
WHERE (ended_ts_utc IS NULL) <> (end_reason IS NULL)
