WITH asg AS (
  SELECT x.account_id, min(x.variant) AS variant, min(x.assigned_ts_utc) AS assigned
  FROM experiment_assignments x JOIN accounts a USING (account_id)
  WHERE x.experiment_id = 'autoplay_previews' AND NOT a.is_test
  GROUP BY 1 HAVING count(DISTINCT x.variant) = 1
), an AS (
  SELECT * FROM asg WHERE assigned + INTERVAL 35 DAY <= (SELECT as_of_ts_utc FROM dataset_info)
), ev AS (
  SELECT DISTINCT e.event_id, e.account_id, e.event_type, e.event_ts_utc, e.watch_seconds
  FROM events e WHERE e.account_id IN (SELECT account_id FROM an)
), per AS (
  SELECT an.account_id, an.variant,
    (SELECT coalesce(sum(watch_seconds), 0) FROM ev WHERE ev.account_id = an.account_id
       AND ev.event_ts_utc >= an.assigned AND ev.event_ts_utc < an.assigned + INTERVAL 21 DAY) AS secs,
    EXISTS (SELECT 1 FROM ev WHERE ev.account_id = an.account_id AND ev.event_type = 'play_start'
       AND ev.event_ts_utc >= an.assigned + INTERVAL 28 DAY AND ev.event_ts_utc < an.assigned + INTERVAL 35 DAY) AS ret
  FROM an
)
SELECT variant, count(*) AS accounts, sum(secs) / 3600.0 / nullif(count(*), 0) AS watch_hours_per_account,
       count(*) FILTER (WHERE ret) AS retained,
       count(*) FILTER (WHERE ret)::DOUBLE / nullif(count(*), 0) AS week4_retention
FROM per GROUP BY 1
