-- property: members who never play: signups with no play_start, some of them only browse
-- why: inner joins to plays and LEFT-JOIN-turned-INNER filters lose them
WITH plays AS (SELECT DISTINCT account_id FROM events WHERE event_type = 'play_start'),
active AS (SELECT DISTINCT account_id FROM events)
SELECT 'no member without a play' AS problem FROM accounts
WHERE account_id NOT IN (SELECT account_id FROM plays) HAVING count(*) = 0
UNION ALL
SELECT 'no browse-only member' FROM active
WHERE account_id NOT IN (SELECT account_id FROM plays) HAVING count(*) = 0
