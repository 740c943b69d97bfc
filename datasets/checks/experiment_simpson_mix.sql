-- property: home_row_v2 over-assigns mobile-first accounts to treatment, and mobile-first
-- accounts watch less: the ingredients of a Simpson's paradox by device type
WITH primary_device AS (
  SELECT account_id, arg_min(device_type, first_seen_ts_utc) AS device_type FROM devices GROUP BY 1),
arm AS (
  SELECT account_id, arg_min(variant, assigned_ts_utc) AS variant
  FROM experiment_assignments WHERE experiment_id = 'home_row_v2' GROUP BY 1)
SELECT 'treatment is not mobile-heavy' AS problem FROM arm JOIN primary_device USING (account_id)
HAVING avg((device_type = 'mobile')::INT) FILTER (WHERE variant = 'treatment')
     < avg((device_type = 'mobile')::INT) FILTER (WHERE variant = 'control') + 0.15
UNION ALL
SELECT 'mobile-first accounts do not watch less' FROM (
  SELECT p.device_type, count(*) / count(DISTINCT p.account_id) AS plays
  FROM primary_device p JOIN events e USING (account_id)
  WHERE e.event_type = 'play_start' GROUP BY 1) t
HAVING max(plays) FILTER (WHERE device_type = 'mobile') > 0.8 * max(plays) FILTER (WHERE device_type = 'tv')
