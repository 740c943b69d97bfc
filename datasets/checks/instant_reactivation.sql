-- property: some reactivations start at the very instant the same account's previous subscription ended
-- why: "ended before the next start" must be <=, and gaps between subscriptions can be zero
SELECT 'no subscription starts exactly when the previous one ended' AS problem
FROM subscriptions s JOIN subscriptions p
  ON p.account_id = s.account_id AND p.subscription_id <> s.subscription_id
 AND p.ended_ts_utc = s.started_ts_utc
HAVING count(*) = 0
