-- CASE ... IS NULL instead of coalesce, and the total from a scalar subquery.
SELECT CASE WHEN a.acquisition_channel IS NULL THEN 'unknown' ELSE a.acquisition_channel END
         AS acquisition_channel,
       count(a.account_id) AS members,
       count(a.account_id) * 1.0 / (SELECT count(*) FROM accounts WHERE is_test = false)
         AS share_of_members
FROM accounts a
WHERE a.is_test = false
GROUP BY CASE WHEN a.acquisition_channel IS NULL THEN 'unknown' ELSE a.acquisition_channel END
