-- name: Members without a channel vanished
-- explanation: Filtering on acquisition_channel IS NOT NULL (or inner-joining to a lookup of known channels) drops the members whose channel was not tracked. The known channels then share 100% of a smaller base, each looks like it brought more members than it did, and budget decisions follow the inflated shares.
WITH channels(code) AS (
  VALUES ('organic'), ('paid_search'), ('social'), ('referral'), ('tv_ad')
)
SELECT c.code AS acquisition_channel,
       count(*) AS members,
       count(*) / sum(count(*)) OVER () AS share_of_members
FROM accounts a
JOIN channels c ON c.code = a.acquisition_channel
WHERE NOT a.is_test
GROUP BY 1
