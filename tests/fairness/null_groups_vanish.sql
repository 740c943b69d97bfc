SELECT coalesce(acquisition_channel, 'unknown') AS acquisition_channel, count(*) AS members,
       count(*)::DOUBLE / nullif(sum(count(*)) OVER (), 0) AS share_of_members
FROM accounts WHERE NOT is_test GROUP BY 1
