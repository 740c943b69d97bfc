-- property: accounts with 3+ devices exist and are at least 10% of accounts; devices far outnumber accounts
-- why: COUNT(DISTINCT device_id) must differ a lot from COUNT(DISTINCT account_id)
WITH per_account AS (SELECT account_id, count(*) AS n FROM devices GROUP BY 1)
SELECT avg((n >= 3)::INT) AS share_3plus, max(n) AS max_devices,
       (SELECT count(DISTINCT device_id) / count(DISTINCT account_id) FROM events) AS devices_per_viewer
FROM per_account
HAVING avg((n >= 3)::INT) < 0.10 OR max(n) < 8
    OR (SELECT count(DISTINCT device_id) / count(DISTINCT account_id) FROM events) < 1.3
