-- name: Kept the untracked members as a NULL group
-- explanation: GROUP BY acquisition_channel without a label keeps the untracked members in a group whose key is NULL. Dashboards show it as a blank row or drop it, and any join to channel spend on that key silently loses it: the unknown bucket never gets the attention a 15% tracking gap deserves.
SELECT acquisition_channel,
       count(*) AS members,
       count(*) / sum(count(*)) OVER () AS share_of_members
FROM accounts
WHERE NOT is_test
GROUP BY acquisition_channel
