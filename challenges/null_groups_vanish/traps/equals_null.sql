-- name: Compared acquisition_channel = NULL
-- explanation: Nothing equals NULL: `acquisition_channel = NULL` is UNKNOWN for every row, so the 'unknown' bucket built with it is always empty. The report says every member's channel is tracked and the known channels' shares add up to 100%, hiding the tracking gap.
WITH total AS (SELECT count(*) AS n FROM accounts WHERE NOT is_test)
SELECT acquisition_channel, count(*) AS members, count(*) / any_value(t.n) AS share_of_members
FROM accounts, total t
WHERE NOT is_test AND acquisition_channel IS NOT NULL
GROUP BY acquisition_channel
UNION ALL
SELECT 'unknown', count(*), count(*) / any_value(t.n)
FROM accounts, total t
WHERE NOT is_test AND acquisition_channel = NULL
