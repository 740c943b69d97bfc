-- property: some devices are shared by two or more profiles of the account
-- why: counting profiles and counting devices must give different answers
SELECT count(*) AS shared_devices
FROM (SELECT device_id FROM events WHERE profile_id IS NOT NULL
      GROUP BY 1 HAVING count(DISTINCT profile_id) >= 2)
HAVING count(*) = 0
