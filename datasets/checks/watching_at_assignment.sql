-- property: in every experiment, members already watching when assigned: a heartbeat before their first assignment and one exactly at it
-- why: a window "from assignment" must start at assigned_ts_utc inclusive and leave out what came before
WITH first_assignment AS (
  SELECT experiment_id, account_id, min(assigned_ts_utc) AS assigned_ts
  FROM experiment_assignments GROUP BY ALL
), beats AS (
  SELECT f.experiment_id, e.account_id, e.event_ts_utc = f.assigned_ts AS exactly_at
  FROM first_assignment f JOIN events e USING (account_id) JOIN accounts a USING (account_id)
  WHERE e.event_type = 'heartbeat' AND NOT a.is_test
    AND e.event_ts_utc BETWEEN f.assigned_ts - INTERVAL 5 MINUTE AND f.assigned_ts
)
SELECT experiment_id, 'no member with heartbeats 5 minutes before and exactly at the first assignment' AS problem
FROM (SELECT DISTINCT experiment_id FROM experiment_assignments) x
WHERE NOT EXISTS (SELECT 1 FROM beats b WHERE b.experiment_id = x.experiment_id AND b.exactly_at
                    AND EXISTS (SELECT 1 FROM beats c WHERE c.experiment_id = b.experiment_id
                                  AND c.account_id = b.account_id AND NOT c.exactly_at))
